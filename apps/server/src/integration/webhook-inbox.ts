import { newId } from "@maestro/shared/ids";
import { sql } from "kysely";
import type { Db } from "../db/schema.ts";
import { DEFAULT_MAX_ATTEMPTS, type JobQueue } from "./job-queue.ts";
import { InboxThreadGone, SqliteInboxWriter, type InboxRow } from "./sqlite-inbox-writer.ts";

export type InboxBatchWriter = {
  readonly available: boolean;
  write(rows: InboxRow[]): Promise<boolean[]>;
  stop(): Promise<void>;
};

export type InboxItem = {
  orgId: string;
  webhookId: string;
  type: string;
  echoEventId: string | null;
  payload: string;
  // A verified delivery whose body is not a valid payload: stored as rejected, no job.
  rejected?: string;
};

const PRESSURE_WINDOW_MS = 200;
const GROUP_WINDOW_MS = 1;

type Pending = { item: InboxItem; resolve: (duplicate: boolean) => void; reject: (err: unknown) => void };

// The receiver's durable write, grouped: deliveries arriving together are
// committed in one transaction (one fsync) before any of them is acknowledged.
// On SQLite the commit runs in a thread (SqliteInboxWriter), on PostgreSQL as one
// statement (PostgresInboxWriter); either way the event loop is free meanwhile.
// Each delivery is stored once per webhook-id; a repeat is reported as duplicate
// and enqueues nothing.
export class WebhookInbox {
  private pending: Pending[] = [];
  private flushing = false;
  private lastBatch = 0;
  // Two buckets of PRESSURE_WINDOW_MS counting stored deliveries.
  private bucketStartedAt = performance.now();
  private storedNow = 0;
  private storedBefore = 0;

  constructor(
    private readonly db: Db,
    private readonly jobs: JobQueue,
    private readonly maxBatch = 256,
    // Called after each committed batch (wakes the worker).
    private readonly onCommitted: () => void = () => undefined,
    // How groups are committed: a thread of its own on SQLite (sqlite-inbox-writer.ts),
    // one statement on PostgreSQL (postgres-inbox-writer.ts); without one, or when
    // the SQLite thread is gone, a transaction on the main connection.
    private readonly writer?: InboxBatchWriter,
  ) {}

  store(item: InboxItem): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        // Alone, a delivery is written at once. On the event loop, when they came in
        // groups, the next commit waits a moment for more (a commit costs far more
        // than a row); the thread commits while the event loop gathers the next group.
        if (this.lastBatch > 1 && !this.writer?.available) setTimeout(() => void this.flush(), GROUP_WINDOW_MS);
        else setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      this.lastBatch = batch.length;
      try {
        const { rows, rowOf } = this.prepare(batch.map((p) => p.item));
        const stored = await this.commit(rows);
        // A delivery is a duplicate unless it is the row that was stored (repeats in the batch are duplicates too).
        batch.forEach((p, i) => p.resolve(!(rowOf[i]! >= 0 && stored[rowOf[i]!]!)));
        this.roll(performance.now());
        this.storedNow += batch.length;
        this.onCommitted();
      } catch (err) {
        batch.forEach((p) => p.reject(err));
      }
    }
    this.flushing = false;
  }

  // Through the writer if there is one; on the main connection otherwise, and when
  // the SQLite thread went away with this group (what it committed comes back as
  // duplicates): the group is neither lost nor overtaken by the next ones.
  private async commit(rows: InboxRow[]): Promise<boolean[]> {
    if (this.writer?.available) {
      try {
        return await this.writer.write(rows);
      } catch (err) {
        if (!(err instanceof InboxThreadGone)) throw err;
      }
    }
    if (!(this.writer instanceof SqliteInboxWriter))
      return this.db.transaction().execute((trx) => this.write(trx, rows));
    // In the thread's stead: its commits sync the WAL to disk (synchronous = FULL), so these do too.
    return this.db.connection().execute(async (conn) => {
      await sql`pragma synchronous = full`.execute(conn);
      try {
        return await conn.transaction().execute((trx) => this.write(trx, rows));
      } finally {
        await sql`pragma synchronous = normal`.execute(conn);
      }
    });
  }

  // The rows to insert: the first delivery of each webhook-id in the batch (rowOf
  // gives each item's row, -1 for a repeat), with ids, times and the job to enqueue.
  private prepare(items: InboxItem[]): { rows: InboxRow[]; rowOf: number[] } {
    const now = new Date().toISOString();
    const rows: InboxRow[] = [];
    const rowOf: number[] = [];
    const seen = new Set<string>();
    for (const item of items) {
      const key = `${item.orgId}\u0000${item.webhookId}`;
      if (seen.has(key)) {
        rowOf.push(-1);
        continue;
      }
      seen.add(key);
      rowOf.push(rows.length);
      rows.push({
        id: newId("whk"),
        orgId: item.orgId,
        webhookId: item.webhookId,
        type: item.type,
        echoEventId: item.echoEventId,
        payload: item.payload,
        status: item.rejected ? "rejected" : "pending",
        error: item.rejected ?? null,
        receivedAt: now,
        job:
          !item.rejected && item.echoEventId
            ? {
                id: newId("job"),
                orderingKey: item.echoEventId,
                payload: JSON.stringify({ webhookId: item.webhookId, source: "webhook" }),
                maxAttempts: DEFAULT_MAX_ATTEMPTS,
              }
            : null,
      });
    }
    return { rows, rowOf };
  }

  // On the main connection: one multi-row insert for the batch and one for its jobs
  // (per-statement overhead, not the rows, is what limits the receiver). True per stored row.
  private async write(trx: Db, rows: InboxRow[]): Promise<boolean[]> {
    const inserted = await trx
      .insertInto("webhookInbox")
      .values(rows.map(({ job: _job, ...row }) => ({ ...row, processedAt: null })))
      .onConflict((oc) => oc.columns(["orgId", "webhookId"]).doNothing())
      .returning("id")
      .execute();
    const stored = new Set(inserted.map((r) => r.id));
    const jobs = rows
      .filter((row) => row.job && stored.has(row.id))
      .map((row) => ({
        orgId: row.orgId,
        kind: "echo_change" as const,
        orderingKey: row.job!.orderingKey,
        payload: JSON.parse(row.job!.payload) as unknown,
      }));
    if (jobs.length > 0) await this.jobs.enqueueMany(jobs, trx);
    return rows.map((row) => stored.has(row.id));
  }

  // Stops the inbox thread (after the writes in flight), if there is one.
  async close(): Promise<void> {
    await this.writer?.stop();
  }

  async get(orgId: string, webhookId: string, db: Db = this.db) {
    return db
      .selectFrom("webhookInbox")
      .selectAll()
      .where("orgId", "=", orgId)
      .where("webhookId", "=", webhookId)
      .executeTakeFirst();
  }

  // Several deliveries of one organization (a coalesced group), in one query.
  async getMany(orgId: string, webhookIds: readonly string[], db: Db = this.db) {
    if (webhookIds.length === 0) return [];
    return db
      .selectFrom("webhookInbox")
      .selectAll()
      .where("orgId", "=", orgId)
      .where("webhookId", "in", [...webhookIds])
      .execute();
  }

  async markProcessed(orgId: string, webhookIds: string | readonly string[], db: Db = this.db) {
    const ids = typeof webhookIds === "string" ? [webhookIds] : [...webhookIds];
    if (ids.length === 0) return;
    await db
      .updateTable("webhookInbox")
      .set({ status: "processed", processedAt: new Date().toISOString() })
      .where("orgId", "=", orgId)
      .where("webhookId", "in", ids)
      .execute();
  }

  // Deliveries stored by this process in the current and the previous window of
  // PRESSURE_WINDOW_MS (the worker yields to the receiver while webhooks pour in).
  recentlyStored(): number {
    this.roll(performance.now());
    return this.storedNow + this.storedBefore;
  }

  private roll(now: number) {
    if (now - this.bucketStartedAt < PRESSURE_WINDOW_MS) return;
    this.storedBefore = now - this.bucketStartedAt < 2 * PRESSURE_WINDOW_MS ? this.storedNow : 0;
    this.storedNow = 0;
    this.bucketStartedAt = now;
  }

  // Raw payloads are kept only as long as needed; the row (id, type, times) stays for dedupe.
  async prunePayloads(beforeIso: string) {
    const r = await this.db
      .updateTable("webhookInbox")
      .set({ payload: null })
      .where("status", "in", ["processed", "rejected"])
      .where("receivedAt", "<", beforeIso)
      .where("payload", "is not", null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  listWebhookIds(orgId: string) {
    return this.db.selectFrom("webhookInbox").select(["webhookId", "status"]).where("orgId", "=", orgId).execute();
  }
}
