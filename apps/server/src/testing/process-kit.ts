import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { testDatabaseUrl } from "./test-database.ts";

// Helpers for tests that run Maestro as real child processes (kill -9, scale-out).

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");

// A port that was free a moment ago (a restarted child must come back on the same one).
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export type FreshPgDatabase = { name: string; url: string; drop(): Promise<void> };

// A whole new PostgreSQL database (child processes take their configuration from
// the environment only, so a database, not a schema, isolates them).
export async function createPgDatabase(prefix: string): Promise<FreshPgDatabase> {
  const name =
    `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`.toLowerCase();
  const admin = new pg.Client({ connectionString: testDatabaseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(testDatabaseUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: testDatabaseUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

export type NodeProcess = {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly label: string;
  // Resolves with the exit code (null when killed by a signal).
  readonly exited: Promise<number | null>;
  alive(): boolean;
  // The last lines the process wrote (stdout and stderr; `keepLines`, default 500).
  output(): string;
  // kill -9: no shutdown hooks, no flush.
  kill9(): Promise<void>;
  // SIGTERM (graceful), SIGKILL if it is still there after `graceMs`.
  stop(graceMs?: number): Promise<void>;
};

// Runs a TypeScript entry point of this repository (`node --import tsx <script>`)
// with exactly the given environment (plus PATH and HOME).
export function spawnTsNode(
  script: string,
  env: Record<string, string>,
  label = path.basename(script),
  options: { keepLines?: number } = {},
): NodeProcess {
  const keepLines = options.keepLines ?? 500;
  const child = spawn(process.execPath, ["--import", "tsx", script], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (child.pid === undefined) throw new Error(`could not start ${label}`);
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) lines.push(line.slice(0, 2000));
    if (lines.length > keepLines) lines.splice(0, lines.length - keepLines);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    pid: child.pid,
    label,
    exited,
    alive,
    output: () => lines.join("\n"),
    async kill9() {
      if (alive()) child.kill("SIGKILL");
      await exited;
    },
    async stop(graceMs = 10_000) {
      if (!alive()) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => alive() && child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

// Waits until `probe` answers truthy; fails early, with the process's output, if it died.
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  options: { timeoutMs?: number; process?: NodeProcess; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let last: unknown;
  while (Date.now() < deadline) {
    if (options.process && !options.process.alive()) {
      throw new Error(`${options.process.label} exited while waiting for ${what}:\n${options.process.output()}`);
    }
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 50));
  }
  const tail = options.process ? `\n${options.process.label} output:\n${options.process.output()}` : "";
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}${tail}`);
}

// Deterministic pseudo-random numbers, so a failing run can be replayed from its seed.
export function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
