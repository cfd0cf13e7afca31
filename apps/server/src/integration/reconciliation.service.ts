import { isDeepStrictEqual } from "node:util";
import type { SyncOperation } from "@maestro/shared/integration.schema";
import type { Logger } from "pino";
import type { CalendarRepository } from "../calendar/calendar.repository.ts";
import type { Db } from "../db/schema.ts";
import type { LiveBus } from "../live/live-bus.ts";
import type { AlertService } from "./alert.service.ts";
import type { ConflictRepository } from "./conflict.repository.ts";
import { CANONICAL_FIELDS, canonicalFromCalendar, canonicalFromEcho } from "./field-mapping.ts";
import type { IntegrationConfigRepository } from "./integration-config.repository.ts";
import { allowsEchoToMaestro, allowsMaestroToEcho, type OrgIntegration } from "./integration-runtime.ts";
import type { JobQueue } from "./job-queue.ts";
import type { SyncEngine } from "./sync-engine.ts";
import type { SyncLinkRepository } from "./sync-link.repository.ts";
import type { SyncOperationRepository } from "./sync-operation.repository.ts";

// Pull again a little before the cursor: Echo's updatedAt of a concurrent write may land just behind it.
export const CURSOR_OVERLAP_MS = 2 * 60 * 1000;
// Echo events merged per transaction (a page of 200 is pulled at a time).
const RECONCILE_BATCH = 50;

// Webhooks make sync fast; reconciliation makes it correct when webhooks are
// lost. It pulls Echo's changes since the cursor through the same merge, then
// pushes Maestro changes Echo never got, then checks that linked events agree.
export class ReconciliationService {
  // Per organization: events that disagreed at the last check (drift must persist to alert).
  private readonly lastDrift = new Map<string, Set<string>>();

  constructor(
    private readonly db: Db,
    private readonly engine: SyncEngine,
    private readonly configs: IntegrationConfigRepository,
    private readonly links: SyncLinkRepository,
    private readonly calendarRepo: CalendarRepository,
    private readonly conflicts: ConflictRepository,
    private readonly jobs: JobQueue,
    private readonly ops: SyncOperationRepository,
    private readonly alerts: AlertService,
    private readonly logger: Logger,
    private readonly live: LiveBus,
  ) {}

  async run(
    integration: OrgIntegration,
    options: { full: boolean; trigger: SyncOperation["trigger"]; operationId?: string; direction?: string },
  ) {
    const started = performance.now();
    const startedAt = new Date().toISOString();
    const orgId = integration.orgId;
    const config = await this.configs.get(orgId);
    let pulled = 0;
    let applied = 0;
    let deferred = 0;
    let pushed = 0;
    let cursor = config?.syncCursor ?? null;
    const pullEcho = allowsEchoToMaestro(integration.direction) && options.direction !== "maestro_to_echo";
    const pushMaestro = allowsMaestroToEcho(integration.direction) && options.direction !== "echo_to_maestro";
    const drift = new Set<string>();
    if (pullEcho) {
      // The cursor is kept on Maestro's clock; Echo is asked in its own (skewed) time.
      const since =
        options.full || !cursor
          ? undefined
          : new Date(Date.parse(cursor) + integration.client.clockOffsetMs - CURSOR_OVERLAP_MS).toISOString();
      let page: string | undefined;
      do {
        const res = await integration.client.listEvents({
          ...(since ? { updatedSince: since } : {}),
          ...(page ? { cursor: page } : {}),
          limit: 200,
        });
        // Several events per transaction: a commit per event (an fsync on PostgreSQL)
        // made a first import of 10,000 events take minutes.
        for (let first = 0; first < res.data.length; first += RECONCILE_BATCH) {
          const batch = res.data.slice(first, first + RECONCILE_BATCH);
          let changed = false;
          await this.db.transaction().execute(async (trx) => {
            for (const event of batch) {
              pulled++;
              const seenAt = new Date(Date.parse(event.updatedAt) - integration.client.clockOffsetMs).toISOString();
              if (!cursor || seenAt > cursor) cursor = seenAt;
              // Events with queued work go through the queue, to keep their order.
              if (await this.jobs.hasPending(orgId, event.id, trx)) {
                await this.jobs.enqueue(orgId, "echo_change", event.id, { event, source: options.trigger }, trx);
                deferred++;
                continue;
              }
              const op = await this.engine.applyEchoEvent(integration, event, { trigger: options.trigger }, trx);
              if (op.status === "succeeded" || op.status === "conflict") {
                applied++;
                changed = true;
              }
              if (await this.drifts(orgId, event, trx)) drift.add(event.id);
            }
          });
          // The engine announced each change before this commit: announce the batch once it is visible.
          if (changed) this.live.publish({ orgId, type: "calendar.changed", data: {} });
        }
        page = res.nextCursor ?? undefined;
      } while (page);
    }
    if (pushMaestro) {
      // Maestro changes whose push was lost or failed for good.
      for (const link of await this.links.listActive(orgId)) {
        const cal = await this.calendarRepo.get(orgId, link.calendarEventId);
        if (!cal) continue;
        const maestro = canonicalFromCalendar(cal);
        if (
          CANONICAL_FIELDS.some((f) => !isDeepStrictEqual(maestro[f], link.base[f])) &&
          !(await this.jobs.hasPending(orgId, link.echoEventId))
        ) {
          await this.jobs.enqueue(orgId, "push", link.echoEventId, {
            echoEventId: link.echoEventId,
            trigger: options.trigger,
          });
          pushed++;
        }
      }
    }
    const now = new Date();
    await this.configs.update(orgId, {
      ...(cursor ? { syncCursor: cursor } : {}),
      lastSyncAt: now.toISOString(),
      nextSyncAt: config?.autoSync
        ? new Date(now.getTime() + (config.syncInterval ?? 15) * 60_000).toISOString()
        : null,
    });
    await this.checkDrift(orgId, drift);
    const reason = `pulled ${pulled} Echo events (${applied} applied, ${deferred} queued), ${pushed} Maestro changes re-queued, ${drift.size} out of step`;
    this.logger.info(
      { orgId, operationId: options.operationId, pulled, applied, deferred, pushed, drift: drift.size },
      "reconciliation finished",
    );
    return this.ops.complete(orgId, options.operationId, {
      direction: pullEcho ? "echo_to_maestro" : "maestro_to_echo",
      trigger: options.trigger,
      status: "succeeded",
      changes: [],
      reason,
      startedAt,
      durationMs: performance.now() - started,
    });
  }

  // After the merge: fields neither frozen by a conflict nor waiting in the queue must agree.
  private async drifts(orgId: string, event: Parameters<typeof canonicalFromEcho>[0], db: Db): Promise<boolean> {
    if (event.deletedAt) return false;
    const link = await this.links.get(orgId, event.id, db);
    if (!link) return false;
    const cal = await this.calendarRepo.get(orgId, link.calendarEventId, db);
    if (!cal) return true;
    if (await this.jobs.hasPending(orgId, event.id, db)) return false;
    const frozen = new Set(
      (await this.conflicts.openFor(orgId, event.id, db)).flatMap((c) => c.fields.map((f) => f.field)),
    );
    const echo = canonicalFromEcho(event);
    const maestro = canonicalFromCalendar(cal);
    return CANONICAL_FIELDS.some(
      (f) => !frozen.has(f) && !isDeepStrictEqual(echo[f], maestro[f]) && event.version >= link.echoVersion,
    );
  }

  private async checkDrift(orgId: string, drift: Set<string>) {
    const previous = this.lastDrift.get(orgId) ?? new Set<string>();
    const persistent = [...drift].filter((id) => previous.has(id));
    this.lastDrift.set(orgId, drift);
    if (persistent.length > 0) {
      await this.alerts.raise(
        orgId,
        "consistency_drift",
        "warning",
        `${persistent.length} linked event(s) still differ between Echo and Maestro after two reconciliations (e.g. ${persistent.slice(0, 3).join(", ")})`,
      );
    } else {
      await this.alerts.resolve(orgId, "consistency_drift");
    }
  }
}
