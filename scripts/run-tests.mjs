#!/usr/bin/env node
// `npm test`: every tier. Unit + integration on SQLite, integration again on
// PostgreSQL, then the Chromium end-to-end tier. Without a reachable PostgreSQL
// the PostgreSQL tier is skipped with a plain message, unless
// MAESTRO_REQUIRE_POSTGRES=1 (set by CI), which makes it a failure.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import pg from "pg";

const root = path.resolve(import.meta.dirname, "..");
const resultsDir = path.join(root, ".tmp", "test-results");
rmSync(resultsDir, { recursive: true, force: true });
mkdirSync(resultsDir, { recursive: true });
const totals = { passed: 0, failed: 0, skipped: 0 };
let failedTiers = [];

function vitest(name, projects, env = {}) {
  const out = path.join(resultsDir, `${name}.json`);
  console.log(`\n=== ${name} ===`);
  const args = [
    "vitest",
    "run",
    ...projects.flatMap((p) => ["--project", p]),
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${out}`,
  ];
  const r = spawnSync("npx", args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  if (existsSync(out)) {
    const report = JSON.parse(readFileSync(out, "utf8"));
    totals.passed += report.numPassedTests;
    totals.failed += report.numFailedTests;
    totals.skipped += report.numPendingTests + report.numTodoTests;
  }
  if (r.status !== 0) failedTiers.push(name);
}

async function postgresReachable(url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function ensureChromium() {
  if (existsSync("/usr/bin/chromium")) return true;
  if (process.getuid?.() !== 0) return false;
  console.log("Installing Debian's chromium for the browser tests…");
  spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
  const r = spawnSync("apt-get", ["install", "-y", "-qq", "chromium"], {
    stdio: "inherit",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  return r.status === 0 && existsSync("/usr/bin/chromium");
}

vitest("unit + integration (SQLite)", ["unit", "integration"], { MAESTRO_TEST_DB: "sqlite" });

const pgUrl = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
if (await postgresReachable(pgUrl)) {
  vitest("integration (PostgreSQL)", ["integration"], { MAESTRO_TEST_DB: "postgres", TEST_DATABASE_URL: pgUrl });
} else if (process.env.MAESTRO_REQUIRE_POSTGRES === "1") {
  console.error(
    `\nPostgreSQL is required here (MAESTRO_REQUIRE_POSTGRES=1) but ${pgUrl.replace(/\/\/[^@]*@/, "//")} does not answer.`,
  );
  failedTiers.push("integration (PostgreSQL): database unreachable");
} else {
  console.log(
    `\nPostgreSQL at ${pgUrl.replace(/\/\/[^@]*@/, "//")} does not answer: the PostgreSQL tier is SKIPPED. Set TEST_DATABASE_URL to run it.`,
  );
}

if (ensureChromium()) {
  const build = spawnSync("npm", ["run", "build:web"], { cwd: root, stdio: "inherit" });
  if (build.status !== 0) failedTiers.push("web build");
  else vitest("end-to-end (Chromium)", ["e2e"]);
} else {
  console.error("\nChromium is missing and cannot be installed (not root): the browser tier cannot run.");
  failedTiers.push("end-to-end: no chromium");
}

console.log(`\n${failedTiers.length ? `Failed tiers: ${failedTiers.join(", ")}` : "All tiers passed."}`);
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failedTiers.length ? 1 : 0);
