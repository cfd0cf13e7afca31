import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type SQLite from "better-sqlite3";
import type { Logger } from "pino";

// SQLite's automatic checkpoint runs inside the commit that crosses the WAL
// threshold, on the connection that commits: our only one, on the event loop.
// It copies the WAL into the database file and fsyncs it, tens of milliseconds
// every few hundred commits, during which no request is served. Here a thread
// with its own connection checkpoints instead (PASSIVE: it never blocks the
// writer), so commits only append to the WAL; past `maxWalBytes` it truncates
// the WAL, which makes writers wait for that one checkpoint. If the thread fails, the main
// connection checkpoints automatically again.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma("busy_timeout = 1000");
let timer;
const { statSync } = require("node:fs");
const walSize = () => {
  try {
    return statSync(workerData.file + "-wal").size;
  } catch {
    return 0;
  }
};
const checkpoint = () => {
  try {
    // Under sustained writes a passive checkpoint never catches up with the writer,
    // and the WAL only grows: past the limit, truncate it (writers wait briefly).
    db.pragma(walSize() > workerData.maxWalBytes ? "wal_checkpoint(TRUNCATE)" : "wal_checkpoint(PASSIVE)");
  } catch (err) {
    // SQLITE_BUSY: the next round tries again.
    if (!String(err && err.code).startsWith("SQLITE_BUSY")) throw err;
  }
};
timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on("message", (message) => {
  if (message !== "stop") return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.postMessage("stopped");
});
`;

export type WalCheckpointer = { stop(): Promise<void> };

export function startWalCheckpointer(
  sqlite: SQLite.Database,
  options: { intervalMs?: number; maxWalBytes?: number; logger?: Logger } = {},
): WalCheckpointer {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      file: sqlite.name,
      intervalMs: options.intervalMs ?? 200,
      driver: createRequire(import.meta.url).resolve("better-sqlite3"),
    },
  });
  worker.unref();
  sqlite.pragma("wal_autocheckpoint = 0");
  let stopping = false;
  const fallBack = (reason: unknown) => {
    if (stopping) return;
    options.logger?.warn({ err: reason }, "SQLite checkpoint thread stopped: checkpointing on the main connection");
    if (sqlite.open) sqlite.pragma("wal_autocheckpoint = 1000");
  };
  worker.on("error", fallBack);
  worker.on("exit", (code) => fallBack(new Error(`exited with code ${code}`)));
  return {
    async stop() {
      if (stopping) return;
      stopping = true;
      await new Promise<void>((resolve) => {
        const done = () => resolve();
        worker.once("message", done);
        worker.once("exit", done);
        worker.postMessage("stop");
      });
      await worker.terminate();
    },
  };
}
