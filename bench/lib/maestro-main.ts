// A Maestro server in its own process, so its memory is its own. Started by
// maestro-process.ts; configured by the usual environment (PORT, DATA_DIR,
// DATABASE_URL, WORKER_ENABLED, ...) plus BENCH_* variables; answers the bench's
// questions about its queue and tables over IPC.
import { sql } from "kysely";
import { buildApp } from "../../apps/server/src/app.ts";
import { loadConfig } from "../../apps/server/src/config/env.ts";
import { openDatabase } from "../../apps/server/src/db/database.ts";
import { createLogger } from "../../apps/server/src/observability/logger.ts";
import { announceReady, serveIpc } from "./ipc.ts";
import { installSqlStats, resetSqlStats, sqlStats } from "./sql-stats.ts";

if (process.env.BENCH_SQL_STATS) installSqlStats();

// What the memory was made of when this process's RSS was highest (sampled every
// 100 ms: process.memoryUsage() reads /proc/self and V8's counters, a few µs).
let atPeak: NodeJS.MemoryUsage = process.memoryUsage();
setInterval(() => {
  const now = process.memoryUsage();
  if (now.rss > atPeak.rss) atPeak = now;
}, 100).unref();

const config = loadConfig();
const logger = createLogger(config.logLevel);
// The same steps as startMaestro(), keeping the database handle for the bench's counts.
const database = await openDatabase({
  dataDir: config.dataDir,
  ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
});
const maestro = await buildApp({ config, database, logger });
await maestro.app.listen({ port: config.port, host: config.host });
maestro.start();

const org = await maestro.services.orgs.ensure("demo", "Bench Venue");
const adminKey = (await maestro.services.auth.createApiKey(org.id, "bench admin", "admin", "bench")).key;
const opsKey = (await maestro.services.auth.createApiKey(org.id, "bench ops", "ops", "bench")).key;
const { db } = database;

const count = async (table: "webhookInbox" | "calendarEvents" | "syncOperations" | "beos") =>
  Number(
    (
      await db
        .selectFrom(table)
        .select(sql<number>`count(*)`.as("n"))
        .executeTakeFirstOrThrow()
    ).n,
  );

let closing: Promise<void> | undefined;
const close = () =>
  (closing ??= (async () => {
    await maestro.close();
    await database.close();
  })());

serveIpc(
  {
    jobCounts: () => maestro.integration.jobs.counts(),
    inboxCount: () => count("webhookInbox"),
    calendarCount: () => count("calendarEvents"),
    counts: async () => ({
      inbox: await count("webhookInbox"),
      calendar: await count("calendarEvents"),
      operations: await count("syncOperations"),
      beos: await count("beos"),
      jobs: await maestro.integration.jobs.counts(),
    }),
    // The first full reconciliation is a "reconcile" job; done once it is.
    reconcileDone: async () => {
      const row = await db
        .selectFrom("syncJobs")
        .select(sql<number>`count(*)`.as("n"))
        .where("kind", "=", "reconcile")
        .where("status", "in", ["done", "failed"])
        .executeTakeFirstOrThrow();
      return Number(row.n) > 0;
    },
    memory: () => process.memoryUsage(),
    memoryAtPeak: () => atPeak,
    jobKinds: () =>
      db
        .selectFrom("syncJobs")
        .select(["kind", "status", sql<number>`count(*)`.as("n")])
        .groupBy(["kind", "status"])
        .execute(),
    inboxTypes: () =>
      db
        .selectFrom("webhookInbox")
        .select(["type", sql<number>`count(*)`.as("n")])
        .groupBy("type")
        .execute(),
    // When each delivery was stored and processed, with the event name it carried (propagation breakdown).
    inboxTimes: async () => {
      const rows = await db.selectFrom("webhookInbox").select(["payload", "receivedAt", "processedAt"]).execute();
      return rows.map((r) => {
        let eventName: string | undefined;
        try {
          eventName = (JSON.parse(r.payload ?? "{}") as { data?: { event?: { eventName?: string } } }).data?.event
            ?.eventName;
        } catch {
          eventName = undefined;
        }
        return {
          eventName,
          receivedAt: Date.parse(r.receivedAt),
          processedAt: r.processedAt ? Date.parse(r.processedAt) : null,
        };
      });
    },
    sqlStats: () => sqlStats(),
    sqlStatsReset: () => resetSqlStats(),
  },
  close,
);
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.once(signal, () => void close().finally(() => process.exit(0)));

announceReady({
  url: `http://${config.host}:${config.port}`,
  orgId: org.id,
  adminKey,
  opsKey,
  dialect: database.dialect,
});
