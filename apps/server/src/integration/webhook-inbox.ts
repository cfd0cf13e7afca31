import { newId } from "@maestro/shared/ids";
import type { Db } from "../db/schema.ts";
import type { JobQueue } from "./job-queue.ts";

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
  ) {}

  store(item: InboxItem): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        // Alone, a delivery is written at once; when they came in groups, the next
        // commit waits a moment for more (a commit costs far more than a row).
        if (this.lastBatch > 1) setTimeout(() => void this.flush(), GROUP_WINDOW_MS);
        else setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      this.lastBatch = batch.length;
      try {
        const duplicates = await this.db.transaction().execute((trx) =>
          this.write(
            trx,
            batch.map((p) => p.item),
          ),
        );
        batch.forEach((p, i) => p.resolve(duplicates[i]!));
        this.roll(performance.now());
        this.storedNow += batch.length;
        this.onCommitted();
      } catch (err) {
        batch.forEach((p) => p.reject(err));
      }
    }
    this.flushing = false;
  }

  // One multi-row insert for the batch and one for its jobs: per-statement overhead,
  // not the rows, is what limits the receiver.
  private async write(trx: Db, items: InboxItem[]): Promise<boolean[]> {
    const now = new Date().toISOString();
    const keyOf = (orgId: string, webhookId: string) => `${orgId}\u0000${webhookId}`;
    // The first delivery of a webhook-id in the batch is the one stored; repeats are duplicates.
    const firsts = new Map<string, InboxItem>();
    for (const item of items) {
      const key = keyOf(item.orgId, item.webhookId);
      if (!firsts.has(key)) firsts.set(key, item);
    }
    const inserted = await trx
      .insertInto("webhookInbox")
      .values(
        [...firsts.values()].map((item) => ({
          id: newId("whk"),
          orgId: item.orgId,
          webhookId: item.webhookId,
          type: item.type,
          echoEventId: item.echoEventId,
          payload: item.payload,
          status: item.rejected ? "rejected" : "pending",
          error: item.rejected ?? null,
          receivedAt: now,
          processedAt: null,
        })),
      )
      .onConflict((oc) => oc.columns(["orgId", "webhookId"]).doNothing())
      .returning(["orgId", "webhookId"])
      .execute();
    const stored = new Set(inserted.map((r) => keyOf(r.orgId, r.webhookId)));
    const jobs = [...firsts.entries()]
      .filter(([key, item]) => stored.has(key) && !item.rejected && item.echoEventId)
      .map(([, item]) => ({
        orgId: item.orgId,
        kind: "echo_change" as const,
        orderingKey: item.echoEventId!,
        payload: { webhookId: item.webhookId, source: "webhook" },
      }));
    if (jobs.length > 0) await this.jobs.enqueueMany(jobs, trx);
    return items.map((item) => {
      const key = keyOf(item.orgId, item.webhookId);
      const first = firsts.get(key) === item;
      return !(first && stored.has(key));
    });
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
