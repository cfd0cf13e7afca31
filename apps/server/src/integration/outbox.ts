import { newId } from "@maestro/shared/ids";
import type { MaestroWebhookEventType } from "@maestro/shared/echo-event.schema";
import type { BeoChange } from "../beo/beo.service.ts";
import { inChunks } from "../db/batches.ts";
import type { CalendarEventsTable, Db } from "../db/schema.ts";
import {
  canonicalFieldOfBeoField,
  canonicalFromCalendar,
  CANONICAL_FIELDS,
  type CanonicalField,
} from "./field-mapping.ts";
import { allowsMaestroToEcho, type IntegrationRuntime } from "./integration-runtime.ts";
import type { JobQueue } from "./job-queue.ts";
import type { SyncLinkRepository } from "./sync-link.repository.ts";

const WEBHOOK_TYPE: Record<BeoChange["kind"], MaestroWebhookEventType> = {
  created: "beo.created",
  updated: "beo.updated",
  approved: "beo.approved",
  cancelled: "beo.updated",
};

// Bound values per sync_jobs row (JobQueue.enqueueMany).
const JOB_COLUMNS = 15;

// The outbox: inside the same transaction as a Maestro change, record when each
// canonical field changed (for newest_wins) and enqueue the push to Echo and the
// Maestro webhook. A change that came from Echo is not pushed back (no loops),
// except what it caused here: a new BEO, or a BEO sent back for approval.
export class Outbox {
  constructor(
    private readonly runtime: IntegrationRuntime,
    private readonly links: SyncLinkRepository,
    private readonly jobs: JobQueue,
  ) {}

  async onBeoChange(trx: Db, change: BeoChange): Promise<void> {
    await this.onBeoChanges(trx, [change]);
  }

  // The changes of a batch: their jobs in one statement, in the order one change after another would enqueue them.
  async onBeoChanges(trx: Db, changes: readonly BeoChange[]): Promise<void> {
    const jobs: Parameters<JobQueue["enqueueMany"]>[0][number][] = [];
    for (const change of changes) {
      const { row } = change;
      if (!row.echoEventId) continue;
      const integration = await this.runtime.get(row.orgId, trx);
      if (!integration?.enabled || !allowsMaestroToEcho(integration.direction)) continue;
      const statusChanged = change.changes.some((c) => c.field === "status");
      if (change.source !== "user" && change.kind !== "created" && !statusChanged) continue;
      if (change.source === "user") {
        const fields = new Set(
          change.changes
            .map((c) => canonicalFieldOfBeoField(c.field))
            .filter((f): f is CanonicalField => f !== undefined),
        );
        await this.touch(trx, row.orgId, row.echoEventId, fields);
      }
      jobs.push(
        {
          orgId: row.orgId,
          kind: "push",
          orderingKey: row.echoEventId,
          payload: { echoEventId: row.echoEventId, trigger: "beo_change" },
        },
        {
          orgId: row.orgId,
          kind: "maestro_webhook",
          orderingKey: row.echoEventId,
          payload: {
            beoId: row.id,
            type: WEBHOOK_TYPE[change.kind],
            webhookId: newId("msg"),
            changes: change.changes.map((c) => ({ field: c.field, from: c.old, to: c.new })),
          },
        },
      );
    }
    for (const chunk of inChunks(jobs, JOB_COLUMNS)) await this.jobs.enqueueMany(chunk, trx);
  }

  // A user's edit of an Echo-sourced calendar event (without a BEO) also flows to Echo.
  async onCalendarChange(trx: Db, before: CalendarEventsTable, after: CalendarEventsTable): Promise<void> {
    if (!after.echoEventId) return;
    const integration = await this.runtime.get(after.orgId, trx);
    if (!integration?.enabled || !allowsMaestroToEcho(integration.direction)) return;
    const a = canonicalFromCalendar(before);
    const b = canonicalFromCalendar(after);
    const fields = new Set(CANONICAL_FIELDS.filter((f) => a[f] !== b[f]));
    if (fields.size === 0) return;
    await this.touch(trx, after.orgId, after.echoEventId, fields);
    await this.jobs.enqueue(
      after.orgId,
      "push",
      after.echoEventId,
      { echoEventId: after.echoEventId, trigger: "beo_change" },
      trx,
    );
  }

  private async touch(trx: Db, orgId: string, echoEventId: string, fields: Set<CanonicalField>) {
    if (fields.size === 0) return;
    const link = await this.links.get(orgId, echoEventId, trx);
    if (!link) return;
    const now = new Date().toISOString();
    const changedAt = { ...link.maestroChangedAt };
    for (const f of fields) changedAt[f] = now;
    await this.links.update(orgId, echoEventId, { maestroChangedAt: changedAt }, trx);
  }
}
