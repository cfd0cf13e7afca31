import { buildApp } from "./app.ts";
import { loadConfig } from "./config/env.ts";
import { openDatabase } from "./db/database.ts";
import { PgLiveBus } from "./live/pg-live-bus.ts";
import { createLogger } from "./observability/logger.ts";

// `npm run start:worker`: a sync worker without the HTTP server. On PostgreSQL,
// run as many as the load needs; they share the queue with SKIP LOCKED.
const config = loadConfig();
if (!config.databaseUrl) {
  throw new Error("a separate worker needs DATABASE_URL (PostgreSQL); on SQLite the server runs its own worker");
}
const logger = createLogger(config.logLevel).child({ role: "worker" });
const database = await openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
// Echo changes are applied here, not in the HTTP instances: announce them through
// LISTEN/NOTIFY so every instance's SSE clients hear them (and hear user changes,
// which wake this worker at once).
const live = database.pool ? await PgLiveBus.start(database.pool, config.databaseUrl, undefined, logger) : undefined;
const maestro = await buildApp({
  config,
  database,
  logger,
  ...(live ? { live } : {}),
  integration: { runWorker: true, runScheduler: false },
});
maestro.start();
logger.info({ workerId: maestro.integration.worker?.id }, "sync worker started");

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void maestro
      .close()
      .then(() => database.close())
      .then(() => process.exit(0));
  });
}
