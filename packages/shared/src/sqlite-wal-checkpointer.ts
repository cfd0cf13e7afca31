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
// The thread's checkpoints are PASSIVE: they never take the write lock. (A
// TRUNCATE checkpoint takes it, and a transaction that read first and then
// writes does not wait for a lock it cannot get: it fails at once with
// "database is locked".) A passive checkpoint does not shrink the WAL file; the
// writer does, with `journal_size_limit`: once a checkpoint has copied the whole
// WAL and no reader still needs it, the next commit starts the WAL over and
// truncates the file to the limit. While readers keep old snapshots nothing can
// be copied past them and the WAL grows; when it stays past the limit the thread
// reports it. If the thread fails, the main connection checkpoints automatically again.
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
let oversized = 0;
const checkpoint = () => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch (err) {
    // SQLITE_BUSY: another checkpoint was running; the next round tries again.
    if (!String(err && err.code).startsWith("SQLITE_BUSY")) throw err;
  }
  if (walSize() > workerData.maxWalBytes) {
    if (++oversized === workerData.reportAfter) parentPort.postMessage({ oversized: true, walBytes: walSize() });
  } else {
    if (oversized >= workerData.reportAfter) parentPort.postMessage({ oversized: false, walBytes: walSize() });
    oversized = 0;
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

// The size the WAL file is truncated to when it starts over (`journal_size_limit`
// of every connection that writes), and past which a WAL that does not shrink is reported.
export const DEFAULT_MAX_WAL_BYTES = 64 * 1024 * 1024;
// Checkpoint rounds in a row with the WAL past its limit before a warning (at 200 ms: 10 s).
const REPORT_AFTER = 50;

export type WalCheckpointer = { stop(): Promise<void> };

export function startWalCheckpointer(
  sqlite: SQLite.Database,
  options: { intervalMs?: number; maxWalBytes?: number; logger?: Logger } = {},
): WalCheckpointer {
  const maxWalBytes = options.maxWalBytes ?? DEFAULT_MAX_WAL_BYTES;
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      file: sqlite.name,
      intervalMs: options.intervalMs ?? 200,
      maxWalBytes,
      reportAfter: REPORT_AFTER,
      driver: createRequire(import.meta.url).resolve("better-sqlite3"),
    },
  });
  worker.unref();
  sqlite.pragma("wal_autocheckpoint = 0");
  sqlite.pragma(`journal_size_limit = ${maxWalBytes}`);
  let stopping = false;
  const fallBack = (reason: unknown) => {
    if (stopping) return;
    options.logger?.warn({ err: reason }, "SQLite checkpoint thread stopped: checkpointing on the main connection");
    if (sqlite.open) sqlite.pragma("wal_autocheckpoint = 1000");
  };
  worker.on("message", (message: unknown) => {
    if (typeof message !== "object" || message === null) return;
    const m = message as { oversized: boolean; walBytes: number };
    if (m.oversized)
      options.logger?.warn(
        { walBytes: m.walBytes },
        "SQLite WAL is past its size limit: a long-running read keeps checkpoints from catching up",
      );
    else options.logger?.info({ walBytes: m.walBytes }, "SQLite WAL is back under its size limit");
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
