import { DEFAULT_MAX_WAL_BYTES } from "@maestro/shared/sqlite-wal-checkpointer";
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { Logger } from "pino";
import type { Db } from "../db/schema.ts";

// One row of a group commit, prepared on the event loop (ids, times, the job).
export type InboxRow = {
  id: string;
  orgId: string;
  webhookId: string;
  type: string;
  echoEventId: string | null;
  payload: string;
  status: "pending" | "rejected";
  error: string | null;
  receivedAt: string;
  // The echo_change job to enqueue if the row is stored (not a duplicate).
  job: { id: string; orderingKey: string; payload: string; maxAttempts: number } | null;
};

// The inbox's group commit on SQLite, in a thread with its own connection. The
// event loop prepares the rows and goes on parsing and verifying deliveries
// while the thread inserts and commits them. SQLite has one writer at a time:
// the thread writes only while it holds the main connection (Kysely's
// connection, as a transaction does), so the two never contend for the lock
// and no statement on the event loop ever waits in SQLite's busy handler.
//
// The thread's SQL is the same as the event loop's inbox write (webhook-inbox.ts):
// one multi-row insert for the deliveries, ON CONFLICT (org_id, webhook_id) DO
// NOTHING for the duplicates, one multi-row insert for the jobs of those stored.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma("busy_timeout = 5000");
// An acknowledgement must outlive a power loss, not only a crash of the process:
// each group's commit syncs the WAL to disk (the main connection's commits, of
// work derived from what is stored here, need not).
db.pragma("synchronous = FULL");
// Checkpoints are the checkpoint thread's (sqlite-wal-checkpointer.ts), never a commit's.
db.pragma("wal_autocheckpoint = 0");
// A commit that starts the WAL over truncates it to this size, as the main connection's do.
db.pragma("journal_size_limit = " + workerData.journalSizeLimit);
db.pragma("foreign_keys = ON");
const INBOX = ["id", "org_id", "webhook_id", "type", "echo_event_id", "payload", "status", "error", "received_at", "processed_at"];
const JOBS = ["id", "org_id", "kind", "ordering_key", "payload", "status", "attempts", "max_attempts", "run_at",
  "locked_by", "locked_until", "last_error", "operation_id", "created_at", "updated_at"];
const tuples = (columns, n) => Array(n).fill("(" + columns.map(() => "?").join(", ") + ")").join(", ");
const inboxInserts = new Map();
const jobInserts = new Map();
const inboxInsert = (n) => {
  let s = inboxInserts.get(n);
  if (!s) {
    s = db.prepare("insert into webhook_inbox (" + INBOX.join(", ") + ") values " + tuples(INBOX, n) +
      " on conflict (org_id, webhook_id) do nothing returning id");
    inboxInserts.set(n, s);
  }
  return s;
};
const jobInsert = (n) => {
  let s = jobInserts.get(n);
  if (!s) {
    s = db.prepare("insert into sync_jobs (" + JOBS.join(", ") + ") values " + tuples(JOBS, n));
    jobInserts.set(n, s);
  }
  return s;
};
const begin = db.prepare("begin immediate");
const commit = db.prepare("commit");
const rollback = db.prepare("rollback");
function write(rows) {
  const params = [];
  for (const r of rows)
    params.push(r.id, r.orgId, r.webhookId, r.type, r.echoEventId, r.payload, r.status, r.error, r.receivedAt, null);
  const stored = new Set(inboxInsert(rows.length).all(params).map((row) => row.id));
  const jobs = rows.filter((r) => r.job && stored.has(r.id));
  if (jobs.length > 0) {
    const jobParams = [];
    for (const r of jobs)
      jobParams.push(r.job.id, r.orgId, "echo_change", r.job.orderingKey, r.job.payload, "queued", 0,
        r.job.maxAttempts, r.receivedAt, null, null, null, null, r.receivedAt, r.receivedAt);
    jobInsert(jobs.length).run(jobParams);
  }
  return rows.map((r) => stored.has(r.id));
}
parentPort.on("message", (message) => {
  if (message.type === "stop") {
    db.close();
    parentPort.postMessage({ type: "stopped" });
    return;
  }
  try {
    begin.run();
    let stored;
    try {
      stored = write(JSON.parse(message.rows));
      commit.run();
    } catch (err) {
      if (db.inTransaction) rollback.run();
      throw err;
    }
    parentPort.postMessage({ type: "written", seq: message.seq, stored });
  } catch (err) {
    parentPort.postMessage({ type: "failed", seq: message.seq, message: String(err && err.message), code: err && err.code });
  }
});
`;

type Reply =
  | { type: "written"; seq: number; stored: boolean[] }
  | { type: "failed"; seq: number; message: string; code?: string }
  | { type: "stopped" };

// A group the thread did not answer for: it is gone (or stopped), and the group
// may or may not have been committed. Writing it again elsewhere is safe: what was
// committed comes back as duplicates.
export class InboxThreadGone extends Error {}

// A thread that has not answered a group in this long is stuck (the main
// connection is held meanwhile): it is stopped, and the inbox writes without it.
const WRITE_TIMEOUT_MS = 30_000;

export class SqliteInboxWriter {
  private worker: Worker | undefined;
  private seq = 0;
  private readonly waiting = new Map<number, { resolve: (stored: boolean[]) => void; reject: (err: Error) => void }>();
  // Set when the thread is gone (error, exit, stop) or could not start: the inbox writes on the event loop again.
  private failed = false;

  constructor(
    private readonly file: string,
    // The main connection: held while the thread writes.
    private readonly db: Db,
    private readonly logger?: Logger,
  ) {}

  get available(): boolean {
    return !this.failed;
  }

  // Inserts the rows (duplicates skipped) and their jobs in one transaction; true
  // per stored row. Rejects with InboxThreadGone when the thread is not there to answer.
  async write(rows: InboxRow[]): Promise<boolean[]> {
    const worker = this.start();
    return this.db.connection().execute(
      () =>
        new Promise<boolean[]>((resolve, reject) => {
          // The thread may have gone while this group waited for the connection.
          if (this.failed) return reject(new InboxThreadGone("the SQLite inbox thread is not running"));
          const seq = ++this.seq;
          const timer = setTimeout(() => {
            this.logger?.error({ timeoutMs: WRITE_TIMEOUT_MS }, "SQLite inbox thread did not answer: stopping it");
            void worker.terminate();
          }, WRITE_TIMEOUT_MS);
          timer.unref();
          this.waiting.set(seq, {
            resolve: (stored) => {
              clearTimeout(timer);
              resolve(stored);
            },
            reject: (err) => {
              clearTimeout(timer);
              reject(err);
            },
          });
          // One string crosses to the thread (a copy), not a graph of objects to clone.
          worker.postMessage({ type: "write", seq, rows: JSON.stringify(rows) });
        }),
    );
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    const running = worker && !this.failed;
    // No thread is started after this, whether one ran or not.
    this.failed = true;
    if (!running) return;
    // Writes in flight finish first: they hold the main connection, as this does.
    await this.db.connection().execute(
      () =>
        new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(done, WRITE_TIMEOUT_MS);
          worker.once("exit", done);
          worker.on("message", (reply: Reply) => reply.type === "stopped" && done());
          worker.postMessage({ type: "stop" });
        }),
    );
    await worker.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    let worker: Worker;
    try {
      worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          file: this.file,
          journalSizeLimit: DEFAULT_MAX_WAL_BYTES,
          driver: createRequire(import.meta.url).resolve("better-sqlite3"),
        },
      });
    } catch (err) {
      this.failed = true;
      this.logger?.warn({ err }, "SQLite inbox thread could not start: the inbox writes on the main connection");
      throw new InboxThreadGone("the SQLite inbox thread could not start");
    }
    worker.unref();
    worker.on("message", (reply: Reply) => {
      if (reply.type === "stopped") return;
      const waiter = this.waiting.get(reply.seq);
      this.waiting.delete(reply.seq);
      if (!waiter) return;
      if (reply.type === "written") waiter.resolve(reply.stored);
      else waiter.reject(Object.assign(new Error(reply.message), { code: reply.code }));
    });
    const gone = (reason: Error) => {
      if (!this.failed)
        this.logger?.warn({ err: reason }, "SQLite inbox thread stopped: the inbox writes on the main connection");
      this.failed = true;
      const err = new InboxThreadGone(reason.message);
      for (const waiter of this.waiting.values()) waiter.reject(err);
      this.waiting.clear();
    };
    worker.on("error", gone);
    worker.on("exit", (code) => gone(new Error(`SQLite inbox thread exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }
}
