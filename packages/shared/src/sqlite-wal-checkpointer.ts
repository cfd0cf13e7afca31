import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type SQLite from "better-sqlite3";
import type { Logger } from "pino";

// SQLite's automatic checkpoint runs inside the commit that crosses the WAL
// threshold, on the connection that commits: our only one, on the event loop.
// It copies the WAL into the database file and fsyncs it, tens of milliseconds
// every few hundred commits, during which no request is served. Here a thread
// with its own connection checkpoints instead, so commits only append to the WAL.
//
// PASSIVE checkpoints never block the writer, but they do not shrink the WAL
// file, and under sustained reads and writes they may never catch up with it.
// Past `maxWalBytes` the thread asks for a TRUNCATE checkpoint instead. Its
// connection has no busy timeout: when a writer or a reader is in the way, the
// TRUNCATE does what a PASSIVE checkpoint would and gives up at once (the next
// round tries again), so it never holds the write lock while it waits for
// readers. Only while it copies frames do writers wait (their busy timeout).
// If the thread fails, the main connection checkpoints automatically again.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { statSync } = require("node:fs");
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma("busy_timeout = 0");
const walSize = () => {
  try {
    return statSync(workerData.file + "-wal").size;
  } catch {
    return 0;
  }
};
let failedTruncations = 0;
const checkpoint = () => {
  const truncate = walSize() > workerData.maxWalBytes;
  let busy = false;
  try {
    const [result] = db.pragma(truncate ? "wal_checkpoint(TRUNCATE)" : "wal_checkpoint(PASSIVE)");
    busy = Boolean(result && result.busy);
  } catch (err) {
    // SQLITE_BUSY: another checkpoint or a writer was in the way; the next round tries again.
    if (!String(err && err.code).startsWith("SQLITE_BUSY")) throw err;
    busy = true;
  }
  if (!truncate) return;
  if (!busy) {
    if (failedTruncations >= workerData.reportAfter) parentPort.postMessage({ truncated: true, after: failedTruncations });
    failedTruncations = 0;
  } else if (++failedTruncations === workerData.reportAfter) {
    parentPort.postMessage({ truncated: false, walBytes: walSize() });
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on("message", (message) => {
  if (message !== "stop") return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.postMessage("stopped");
});
`;

// The WAL size past which the checkpoint thread truncates the WAL.
export const DEFAULT_MAX_WAL_BYTES = 64 * 1024 * 1024;
// Truncations in a row that readers or writers prevented before a warning (at 200 ms: 10 s).
const REPORT_AFTER = 50;

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
      maxWalBytes: options.maxWalBytes ?? DEFAULT_MAX_WAL_BYTES,
      reportAfter: REPORT_AFTER,
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
  worker.on("message", (message: unknown) => {
    if (typeof message !== "object" || message === null) return;
    const m = message as { truncated: boolean; walBytes?: number; after?: number };
    if (m.truncated)
      options.logger?.info({ attempts: m.after }, "SQLite WAL truncated after readers or writers held it up");
    else
      options.logger?.warn(
        { walBytes: m.walBytes },
        "SQLite WAL is past its size limit and long-running reads or writes keep it from being truncated",
      );
  });
  worker.on("error", fallBack);
  worker.on("exit", (code) => fallBack(new Error(`exited with code ${code}`)));
  return {
    async stop() {
      if (stopping) return;
      stopping = true;
      await new Promise<void>((resolve) => {
        worker.on("message", (message: unknown) => {
          if (message === "stopped") resolve();
        });
        worker.once("exit", () => resolve());
        worker.postMessage("stop");
      });
      await worker.terminate();
    },
  };
}
