import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { startChild, type Child } from "./child-process.ts";
import { freePort } from "./free-port.ts";

export type Dialect = "sqlite" | "postgres";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
export const SANDBOX_KEY = "bench-sandbox-key-0123456789";
export const WEBHOOK_SECRET = "whsec_" + Buffer.from("bench-webhook-secret-32-bytes-ok").toString("base64");
const SECRET_KEY = "bench-secret-key-0123456789abcdef";

export type MaestroProcess = Child & { url: string; orgId: string; adminKey: string; opsKey: string };
export type SandboxProcess = Child & { url: string; key: string };
export type StoreLocation = { dataDir: string; databaseUrl?: string };

// The main thread's V8 heap and external memory when the process's RSS was highest
// (the rest of the RSS: the Node binary, threads, SQLite's and the allocator's memory).
export type MemoryAtPeak = { heapTotalMb: number; heapUsedMb: number; externalMb: number };
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

// The Node flags `npm run start:maestro` runs Maestro with (V8 heap sizing):
// the bench measures Maestro as it is deployed.
export function maestroNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts?: Record<string, string> };
  const words = (pkg.scripts?.["start:maestro"] ?? "").split(/\s+/);
  return words.slice(words.indexOf("tsx") + 1).filter((w) => w.startsWith("--"));
}

// Whether PostgreSQL answers (2 s budget).
export async function postgresAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2000 });
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

// Everything one backend's run starts: temp directories, PostgreSQL databases
// (bench_<pid>_<n>, dropped afterwards) and child processes. Tracks the peak RSS
// of every Maestro process it started.
export class BenchEnv {
  readonly workDir: string;
  private readonly children: Child[] = [];
  private readonly databases: string[] = [];
  private readonly maestroPeaks: { name: string; bytes: number; atPeak?: MemoryAtPeak }[] = [];
  private seq = 0;

  constructor(readonly dialect: Dialect) {
    this.workDir = mkdtempSync(path.join(os.tmpdir(), `maestro-bench-${dialect}-`));
  }

  logFile(name: string) {
    return path.join(this.workDir, `${name}.log`);
  }

  // A fresh, empty store for one Maestro: a directory (SQLite) or a new database (PostgreSQL).
  async store(name: string): Promise<StoreLocation> {
    const dataDir = path.join(this.workDir, `${name}-${++this.seq}`);
    mkdirSync(dataDir, { recursive: true });
    if (this.dialect === "sqlite") return { dataDir };
    const dbName = `bench_${process.pid}_${this.seq}`;
    const client = new pg.Client({ connectionString: PG_ADMIN_URL });
    await client.connect();
    try {
      await client.query(`create database ${dbName}`);
    } finally {
      await client.end();
    }
    this.databases.push(dbName);
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/${dbName}`;
    return { dataDir, databaseUrl: url.toString() };
  }

  async sandbox(name: string): Promise<SandboxProcess> {
    const port = await freePort();
    const dir = path.join(this.workDir, `${name}-sandbox-${++this.seq}`);
    mkdirSync(dir, { recursive: true });
    const child = await startChild(
      `${name} sandbox`,
      "sandbox-main.ts",
      { BENCH_SANDBOX_DIR: dir, BENCH_SANDBOX_PORT: String(port), BENCH_SANDBOX_KEY: SANDBOX_KEY, LOG_LEVEL: "warn" },
      this.logFile(`${name}-sandbox`),
    );
    this.children.push(child);
    return Object.assign(child, { url: String(child.info.url), key: SANDBOX_KEY });
  }

  async maestro(
    name: string,
    options: { store: StoreLocation; worker?: boolean; allowedHosts?: string[] },
  ): Promise<MaestroProcess> {
    const port = await freePort();
    const env: Record<string, string> = {
      PORT: String(port),
      HOST: "127.0.0.1",
      DATA_DIR: options.store.dataDir,
      MAESTRO_SECRET_KEY: SECRET_KEY,
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "warn",
      WORKER_ENABLED: options.worker === false ? "false" : "true",
      INTEGRATION_ALLOWED_HOSTS: (options.allowedHosts ?? []).join(","),
      DATABASE_URL: options.store.databaseUrl ?? "",
      // The bench's own API calls (search queries, propagation checks) exceed the default per-key limit.
      API_RATE_LIMIT_PER_MINUTE: "10000000",
    };
    const child = await startChild(
      `${name} maestro`,
      "maestro-main.ts",
      env,
      this.logFile(`${name}-maestro`),
      60_000,
      maestroNodeFlags(),
    );
    this.children.push(child);
    const info = child.info as { url: string; orgId: string; adminKey: string; opsKey: string };
    return Object.assign(child, { url: info.url, orgId: info.orgId, adminKey: info.adminKey, opsKey: info.opsKey });
  }

  // Stops a child; a Maestro's peak RSS is recorded first.
  async stop(child: Child | undefined): Promise<void> {
    if (!child) return;
    const index = this.children.indexOf(child);
    if (index >= 0) this.children.splice(index, 1);
    if (child.name.endsWith("maestro")) {
      const atPeak = await child.request<NodeJS.MemoryUsage>("memoryAtPeak").catch(() => undefined);
      this.maestroPeaks.push({
        name: child.name,
        bytes: child.peakRssBytes(),
        ...(atPeak
          ? {
              atPeak: {
                heapTotalMb: mb(atPeak.heapTotal),
                heapUsedMb: mb(atPeak.heapUsed),
                externalMb: mb(atPeak.external),
              },
            }
          : {}),
      });
    }
    if (process.env.BENCH_SQL_STATS && child.name.endsWith("maestro")) {
      const stats = await child.request<{ sql: string; calls: number; totalMs: number }[]>("sqlStats").catch(() => []);
      console.log(`SQL time in ${child.name}:`);
      console.table(stats.slice(0, 15));
    }
    await child.stop();
    if (child.name.endsWith("maestro")) {
      const last = this.maestroPeaks.at(-1)!;
      last.bytes = Math.max(last.bytes, child.peakRssBytes());
    }
  }

  peakMaestroRss(): { bytes: number; byProcess: { name: string; mb: number; atPeak?: MemoryAtPeak }[] } {
    const all: { name: string; bytes: number; atPeak?: MemoryAtPeak }[] = [
      ...this.maestroPeaks,
      ...this.children
        .filter((c) => c.name.endsWith("maestro"))
        .map((c) => ({ name: c.name, bytes: c.peakRssBytes() })),
    ];
    return {
      bytes: Math.max(0, ...all.map((p) => p.bytes)),
      byProcess: all.map((p) => ({
        name: p.name,
        mb: mb(p.bytes),
        ...(p.atPeak ? { atPeak: p.atPeak } : {}),
      })),
    };
  }

  async close(): Promise<void> {
    for (const child of [...this.children].reverse()) await this.stop(child).catch(() => undefined);
    if (this.databases.length > 0) {
      const client = new pg.Client({ connectionString: PG_ADMIN_URL });
      await client.connect();
      try {
        for (const name of this.databases) await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    }
    if (!process.env.BENCH_KEEP) rmSync(this.workDir, { recursive: true, force: true });
  }
}
