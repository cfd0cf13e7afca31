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

type Pending = { item: InboxItem; resolve: (duplicate: boolean) => void; reject: (err: unknown) => void };

// The receiver's durable write, grouped: deliveries arriving together are
// committed in one transaction (one fsync) before any of them is acknowledged.
// Each delivery is stored once per webhook-id; a repeat is reported as duplicate
// and enqueues nothing.
export class WebhookInbox {
  private pending: Pending[] = [];
  private flushing = false;

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
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      try {
        const duplicates = await this.db.transaction().execute((trx) => this.write(trx, batch.map((p) => p.item)));
        batch.forEach((p, i) => p.resolve(duplicates[i]!));
        this.onCommitted();
      } catch (err) {
        batch.forEach((p) => p.reject(err));
      }
    }
    this.flushing = false;
  }

  private async write(trx: Db, items: InboxItem[]): Promise<boolean[]> {
    const result: boolean[] = [];
    const seen = new Set<string>();
    const now = new Date().toISOString();
    for (const item of items) {
      const key = `${item.orgId}\u0000${item.webhookId}`;
      if (seen.has(key)) {
        result.push(true);
        continue;
      }
      seen.add(key);
      const inserted = await trx
        .insertInto("webhookInbox")
        .values({
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
        })
        .onConflict((oc) => oc.columns(["orgId", "webhookId"]).doNothing())
        .executeTakeFirst();
      const duplicate = Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0;
      result.push(duplicate);
      if (!duplicate && !item.rejected && item.echoEventId) {
        await this.jobs.enqueue(item.orgId, "echo_change", item.echoEventId, { webhookId: item.webhookId, source: "webhook" }, trx);
      }
    }
    return result;
  }

  async get(orgId: string, webhookId: string, db: Db = this.db) {
    return db.selectFrom("webhookInbox").selectAll().where("orgId", "=", orgId).where("webhookId", "=", webhookId).executeTakeFirst();
  }

  async markProcessed(orgId: string, webhookId: string, db: Db = this.db) {
    await db
      .updateTable("webhookInbox")
      .set({ status: "processed", processedAt: new Date().toISOString() })
      .where("orgId", "=", orgId)
      .where("webhookId", "=", webhookId)
      .execute();
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
