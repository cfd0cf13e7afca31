import { isDeepStrictEqual } from "node:util";
import type { EchoCRMEvent, EchoEventPage } from "@maestro/shared/echo-event.schema";
import type { SyncOperation } from "@maestro/shared/integration.schema";
import type { Logger } from "pino";
import type { CalendarRepository } from "../calendar/calendar.repository.ts";
import { isUniqueViolation } from "../db/batches.ts";
import type { Db } from "../db/schema.ts";
import type { LiveBus } from "../live/live-bus.ts";
import type { AlertService } from "./alert.service.ts";
import type { ConflictRepository } from "./conflict.repository.ts";
import { CANONICAL_FIELDS, canonicalFromCalendar, canonicalFromEcho, withoutContactDetails } from "./field-mapping.ts";
import type { IntegrationConfigRepository } from "./integration-config.repository.ts";
import { allowsEchoToMaestro, allowsMaestroToEcho, type OrgIntegration } from "./integration-runtime.ts";
import type { JobQueue } from "./job-queue.ts";
import type { ImportedBatch, SyncEngine } from "./sync-engine.ts";
import type { SyncLinkRepository } from "./sync-link.repository.ts";
import type { SyncOperationRepository } from "./sync-operation.repository.ts";

// Pull again a little before the cursor: Echo's updatedAt of a concurrent write may land just behind it.
export const CURSOR_OVERLAP_MS = 2 * 60 * 1000;
// Echo events per page pulled.
const PAGE_SIZE = 200;
// Links compared with their calendar event per query, for the pushes to re-queue.
const PUSH_CHECK_PAGE = 1000;
// Echo events merged one by one per transaction (those Maestro already knows, deleted ones, queued ones).
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
      const list = (page: string | undefined) =>
        integration.client.listEvents({
          ...(since ? { updatedSince: since } : {}),
          ...(page ? { cursor: page } : {}),
          limit: PAGE_SIZE,
        });
      let next: Promise<EchoEventPage> | undefined = list(undefined);
      while (next) {
        const res: EchoEventPage = await next;
        // Echo serves the next page while this one is written (pages are still applied in order).
        next = res.nextCursor ? list(res.nextCursor) : undefined;
        // Awaited on the next turn; if this page fails first, its outcome no longer matters.
        next?.catch(() => undefined);
        for (const event of res.data) {
          pulled++;
          const seenAt = new Date(Date.parse(event.updatedAt) - integration.client.clockOffsetMs).toISOString();
          if (!cursor || seenAt > cursor) cursor = seenAt;
        }
        const rest = await this.importUnseen(integration, res.data, options.trigger);
        applied += res.data.length - rest.length;
        // Several events per transaction: a commit per event (an fsync on PostgreSQL)
        // made a first import of 10,000 events take minutes.
        for (let first = 0; first < rest.length; first += RECONCILE_BATCH) {
          const batch = rest.slice(first, first + RECONCILE_BATCH);
          let changed = false;
          await this.db.transaction().execute(async (trx) => {
            // The batch's advisory locks (PostgreSQL) first, in sorted order, before any
            // row lock: taken one by one in the merge, after a BEO created earlier in the
            // batch locked the organization's row, one could wait for a worker importing
            // that event, itself waiting for the organization's row (a deadlock).
            await this.links.lockUnlinked(
              orgId,
              batch.map((e) => e.id),
              trx,
            );
            for (const event of batch) {
              // Events with queued work go through the queue, to keep their order.
              if (await this.jobs.hasPending(orgId, event.id, trx)) {
                await this.jobs.enqueue(
                  orgId,
                  "echo_change",
                  event.id,
                  { event: withoutContactDetails(event), source: options.trigger },
                  trx,
                );
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
          if (changed) this.live.publish({ orgId, type: "calendar.changed", data: {}, origin: "sync" });
        }
      }
    }
    if (pushMaestro) {
      // Maestro changes whose push was lost or failed for good (BEO news included).
      let after: string | null = null;
      for (;;) {
        const page = await this.links.mayDifferFromCalendar(orgId, after, PUSH_CHECK_PAGE);
        for (const { link, calendar, beo } of page) {
          const maestro = canonicalFromCalendar(calendar);
          // A changed field, or a BEO (created, approved, …) whose news Echo never got.
          const differs =
            CANONICAL_FIELDS.some((f) => !isDeepStrictEqual(maestro[f], link.base[f])) ||
            (beo !== null && (beo.id !== link.echoBeoId || beo.status !== link.echoBeoStatus));
          if (differs && !(await this.jobs.hasPending(orgId, link.echoEventId))) {
            await this.jobs.enqueue(orgId, "push", link.echoEventId, {
              echoEventId: link.echoEventId,
              trigger: options.trigger,
            });
            pushed++;
          }
        }
        if (page.length < PUSH_CHECK_PAGE) break;
        after = page[page.length - 1]!.link.echoEventId;
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

  // Events Maestro has never seen — no link, no calendar event carrying their id, not
  // deleted in Echo, nothing queued for them — are imported in bulk, in one transaction
  // (importNewBatch: what the per-event import writes, a statement per table). Returns
  // the others, in page order, for the per-event merge. Just imported, they agree with
  // Echo by construction: no drift check.
  private async importUnseen(
    integration: OrgIntegration,
    events: readonly EchoCRMEvent[],
    trigger: SyncOperation["trigger"],
  ): Promise<EchoCRMEvent[]> {
    const orgId = integration.orgId;
    if (events.length === 0 || !allowsEchoToMaestro(integration.direction)) return [...events];
    let unseen = new Set<EchoCRMEvent>();
    let imported: ImportedBatch;
    try {
      imported = await this.db.transaction().execute(async (trx) => {
        const ids = events.map((e) => e.id);
        // A delivery of one of them being merged right now is committed first, and read
        // (deleted ones are never imported here: they go through the per-event merge).
        await this.links.lockUnlinked(
          orgId,
          events.filter((e) => !e.deletedAt).map((e) => e.id),
          trx,
        );
        const linked = await this.links.byEchoIds(orgId, ids, trx);
        const pending = await this.jobs.pendingKeys(orgId, ids, trx);
        const onCalendar = await this.calendarRepo.echoIdsPresent(orgId, ids, trx);
        // Deleted since this page was read (its deletion delivered and merged): the
        // page's older snapshot must not bring it back. The per-event merge skips it.
        const deleted = await this.engine.receivedDeletions(orgId, ids, trx);
        const taken = new Set<string>();
        unseen = new Set(
          events.filter((e) => {
            // An id twice in a page: the second goes through the merge.
            if (taken.has(e.id)) return false;
            taken.add(e.id);
            return (
              !e.deletedAt && !linked.has(e.id) && !pending.has(e.id) && !onCalendar.has(e.id) && !deleted.has(e.id)
            );
          }),
        );
        return this.engine.importNewBatch(integration, [...unseen], { trigger }, trx);
      });
    } catch (err) {
      // PostgreSQL: a webhook's import of one of these events committed since they were read.
      if (!isUniqueViolation(err)) throw err;
      this.logger.warn(
        { orgId, events: events.length },
        "bulk import met a concurrent import: merging the page event by event",
      );
      return [...events];
    }
    this.engine.announceImported(imported);
    return events.filter((e) => !unseen.has(e));
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
