import { isDeepStrictEqual } from "node:util";
import type { EchoCRMEvent, EchoEventPatch } from "@maestro/shared/echo-event.schema";
import { echoWebhookPayloadSchema, type FieldChange, type SyncOperation } from "@maestro/shared/integration.schema";
import type { Logger } from "pino";
import type { BeoService } from "../beo/beo.service.ts";
import type { BeoRepository } from "../beo/beo.repository.ts";
import type { CalendarRepository } from "../calendar/calendar.repository.ts";
import type { CalendarEventsTable, Db } from "../db/schema.ts";
import { newId } from "@maestro/shared/ids";
import type { LiveBus } from "../live/live-bus.ts";
import type { NotificationRepository } from "../notifications/notification.repository.ts";
import type { Metrics } from "../observability/metrics.ts";
import { baseAfterMerge, mergeFields, type FieldDecision } from "./conflict-merge.ts";
import type { ConflictField, ConflictRepository } from "./conflict.repository.ts";
import { EchoError } from "./echo-client.ts";
import {
  CANONICAL_FIELDS,
  beoPatchFromCanonical,
  calendarFieldsFromEcho,
  calendarPatchFromCanonical,
  canonicalFromCalendar,
  canonicalFromEcho,
  echoFieldChangeTimes,
  echoPatchFromCanonical,
  type CanonicalField,
  type CanonicalFields,
  type EchoVersionChange,
} from "./field-mapping.ts";
import {
  allowsEchoToMaestro,
  allowsMaestroToEcho,
  type IntegrationRuntime,
  type OrgIntegration,
} from "./integration-runtime.ts";
import type { JobQueue } from "./job-queue.ts";
import type { PushUnderWay, SyncLink, SyncLinkRepository } from "./sync-link.repository.ts";
import type { SyncOperationRepository } from "./sync-operation.repository.ts";

export type Trigger = SyncOperation["trigger"];
export const ECHO_ACTOR = "Echo CRM";
const MAX_PUSH_ROUNDS = 4;

export type EngineDeps = {
  db: Db;
  runtime: IntegrationRuntime;
  beos: BeoService;
  beoRepo: BeoRepository;
  calendarRepo: CalendarRepository;
  links: SyncLinkRepository;
  ops: SyncOperationRepository;
  conflicts: ConflictRepository;
  jobs: JobQueue;
  notifications: NotificationRepository;
  live: LiveBus;
  metrics: Metrics;
  logger: Logger;
};

export class NonRetryableSyncError extends Error {}

// Applies Echo's changes to Maestro and Maestro's to Echo, per DESIGN.md "Sync semantics".
export class SyncEngine {
  constructor(private readonly d: EngineDeps) {}

  // Echo → Maestro: one Echo event snapshot, merged against the link's base.
  async applyEchoEvent(
    integration: OrgIntegration,
    event: EchoCRMEvent,
    // `superseded`: older snapshots of this event delivered together with this one, not merged on their own.
    // `deliveries`: Echo's deliveries of the versions since the last one merged, which say
    // which fields changed when (newest_wins compares those times, field by field).
    meta: {
      trigger: Trigger;
      webhookId?: string;
      type?: string;
      superseded?: number;
      deliveries?: readonly EchoVersionChange[];
    },
    outer?: Db,
    // Runs in the same transaction once the decision is recorded (the worker marks
    // the delivery processed and the job done there: one commit per change).
    inTransaction?: (trx: Db, op: SyncOperation) => Promise<void>,
  ): Promise<SyncOperation> {
    const started = performance.now();
    const startedAt = new Date().toISOString();
    const orgId = integration.orgId;
    const run = async (trx: Db) => {
      const base = {
        direction: "echo_to_maestro" as const,
        trigger: meta.trigger,
        echoEventId: event.id,
        ...(meta.webhookId ? { webhookId: meta.webhookId } : {}),
        startedAt,
      };
      const coalesced = meta.superseded
        ? ` (newest of ${meta.superseded + 1} deliveries of this event waiting together)`
        : "";
      const record = (op: Omit<SyncOperation, "id" | "startedAt" | "durationMs" | "direction" | "trigger">) =>
        this.d.ops.record(
          orgId,
          {
            ...base,
            ...op,
            ...(op.reason !== undefined ? { reason: op.reason + coalesced } : {}),
            durationMs: performance.now() - started,
          },
          trx,
        );

      if (!allowsEchoToMaestro(integration.direction)) {
        return record({ status: "skipped", changes: [], reason: "sync direction is maestro_to_echo" });
      }
      // PostgreSQL: the linked calendar event locked and read first, then the link
      // read under that lock (a push may have changed its version or base meanwhile).
      // Two statements where looking the link up, locking its event, reading the
      // link again and then the event took four.
      let cal = await this.d.calendarRepo.lockLinkedTo(orgId, event.id, trx);
      let link = cal ? await this.d.links.get(orgId, event.id, trx) : undefined;
      // (A link never changes its calendar event; the check only keeps a row that is not its own out.)
      if (!cal || link?.calendarEventId !== cal.id) {
        cal = undefined;
        // Not linked (on PostgreSQL, when the first statement ran): this import or
        // deletion waits for another one of the same event under way, then reads the
        // link (it may have been created meanwhile). SQLite asks only for the link.
        await this.d.links.lockUnlinked(orgId, [event.id], trx);
        link = await this.d.links.get(orgId, event.id, trx);
        // Linked meanwhile: lock its event, read the link again.
        if (link && (await this.d.calendarRepo.lock(orgId, link.calendarEventId, trx)))
          link = await this.d.links.get(orgId, event.id, trx);
      }
      if (link && event.version <= link.echoVersion) {
        // A late contract.signed still guarantees the BEO (idempotent).
        const beoId =
          !link.deleted && event.contractStatus === "signed" && !event.deletedAt
            ? await this.ensureBeo(trx, orgId, link.calendarEventId)
            : undefined;
        return record({
          status: "skipped",
          changes: [],
          reason:
            event.version === link.echoVersion
              ? "version already applied (our own write or a repeat)"
              : `stale: version ${event.version} < ${link.echoVersion}`,
          ...(beoId ? { beoId } : {}),
        });
      }
      if (!link) return this.importNew(trx, integration, event, meta, record);
      // `cal`, when set, is the link's calendar row read with its lock: nobody else can have written it since.
      if (event.deletedAt) return this.applyDeletion(trx, integration, event, link, record, cal);
      return this.mergeInto(trx, integration, event, link, record, {
        deliveries: meta.deliveries ?? [],
        ...(cal ? { cal } : {}),
      });
    };
    const runAll = async (trx: Db) => {
      const op = await run(trx);
      if (inTransaction) await inTransaction(trx, op);
      return op;
    };
    const op = outer ? await runAll(outer) : await this.d.db.transaction().execute(runAll);
    this.d.metrics.syncOperations.inc({ direction: op.direction, status: op.status });
    if (op.status === "succeeded" || op.status === "conflict") {
      const echoChangedAt = Date.parse(event.updatedAt) - integration.client.clockOffsetMs;
      if (meta.trigger === "webhook")
        this.d.metrics.propagationSeconds.observe(Math.max(0, Date.now() - echoChangedAt) / 1000);
      this.d.live.publish({ orgId, type: "calendar.changed", data: { echoEventId: event.id }, origin: "sync" });
    }
    this.d.live.publish({ orgId, type: "sync.status", data: {}, origin: "sync" });
    this.d.logger.info(
      {
        opId: op.id,
        webhookId: meta.webhookId,
        echoEventId: event.id,
        status: op.status,
        reason: op.reason,
        ...(meta.superseded ? { superseded: meta.superseded } : {}),
      },
      "echo change processed",
    );
    return op;
  }

  private async importNew(
    trx: Db,
    integration: OrgIntegration,
    event: EchoCRMEvent,
    meta: { webhookId?: string; type?: string },
    record: Recorder,
  ) {
    const orgId = integration.orgId;
    if (event.deletedAt) {
      // A deletion learnt otherwise than by its own delivery (a reconciliation page):
      // kept among the received deletions, which the check below reads, so that a
      // late delivery of an older snapshot (its event.created retried by Echo) does
      // not bring the event back.
      if (meta.type !== "event.deleted") await this.rememberDeletion(trx, orgId, event);
      return record({ status: "skipped", changes: [], reason: "deleted in Echo before Maestro knew it" });
    }
    // Deletions are final in Echo: one already received means this older snapshot
    // (a creation overtaken by its deletion) must not bring the event back.
    const deletion = (await this.receivedDeletions(orgId, [event.id], trx)).get(event.id);
    if (deletion)
      return record({
        status: "skipped",
        changes: [],
        reason: `deleted in Echo: its deletion (${deletion}) came before this older snapshot`,
      });
    const now = new Date().toISOString();
    const existing = await this.d.calendarRepo.findByEchoId(orgId, event.id, trx);
    const calendarId = existing?.id ?? newId("cal");
    const fields = calendarFieldsFromEcho(event);
    if (existing) await this.d.calendarRepo.update(orgId, existing.id, { ...fields, updatedAt: now }, trx);
    else
      await this.d.calendarRepo.insert(
        { id: calendarId, orgId, ...fields, beoId: null, createdAt: now, updatedAt: now },
        trx,
      );
    await this.d.links.insert(newLink(orgId, event, calendarId, canonicalFromEcho(event), now), trx);
    const beoId = event.contractStatus === "signed" ? await this.ensureBeo(trx, orgId, calendarId) : undefined;
    const canonical = canonicalFromEcho(event);
    return record({
      status: "succeeded",
      changes: CANONICAL_FIELDS.map((f) => ({ field: f, from: null, to: canonical[f] })),
      reason: beoId ? "imported; contract signed: BEO created" : "imported",
      ...(beoId ? { beoId } : {}),
    });
  }

  // Echo's deliveries about this event that are stored and not merged yet.
  private async pendingDeliveries(orgId: string, echoEventId: string): Promise<EchoVersionChange[]> {
    const rows = await this.d.db
      .selectFrom("webhookInbox")
      .select("payload")
      .where("orgId", "=", orgId)
      .where("echoEventId", "=", echoEventId)
      .where("status", "=", "pending")
      .execute();
    return rows.flatMap(({ payload }) => {
      const parsed = payload ? echoWebhookPayloadSchema.safeParse(parseJsonOrUndefined(payload)) : undefined;
      return parsed?.success ? [{ event: parsed.data.data.event, changedFields: parsed.data.data.changedFields }] : [];
    });
  }

  // Of these Echo events, those whose deletion Maestro has received (delivered, or
  // seen by a reconciliation): the id of the delivery that said so, by event.
  async receivedDeletions(orgId: string, echoEventIds: readonly string[], db: Db): Promise<Map<string, string>> {
    if (echoEventIds.length === 0) return new Map();
    const rows = await db
      .selectFrom("webhookInbox")
      .select(["echoEventId", "webhookId"])
      .where("orgId", "=", orgId)
      .where("echoEventId", "in", [...echoEventIds])
      .where("type", "=", "event.deleted")
      .where("status", "=", "processed")
      .execute();
    return new Map(rows.map((r) => [r.echoEventId!, r.webhookId]));
  }

  private async rememberDeletion(trx: Db, orgId: string, event: EchoCRMEvent) {
    const now = new Date().toISOString();
    await trx
      .insertInto("webhookInbox")
      .values({
        id: newId("whk"),
        orgId,
        webhookId: `${RECONCILED_DELETION_PREFIX}${event.id}`,
        type: "event.deleted",
        echoEventId: event.id,
        // No snapshot: the row only says that the event is deleted.
        payload: null,
        status: "processed",
        error: null,
        receivedAt: now,
        processedAt: now,
      })
      .onConflict((oc) => oc.columns(["orgId", "webhookId"]).doNothing())
      .execute();
  }

  // Echo → Maestro for events Maestro has never seen, many at once (a reconciliation
  // page): what importNew records for each — calendar event, link with base = Echo's
  // values, a BEO with its notification for a signed contract, a succeeded operation —
  // in one statement per table, in this order (BEO numbers follow it). The caller has
  // made sure, in `trx`, that none of them is deleted, linked, on a calendar event or
  // waiting in the queue, and calls announceImported() once `trx` is committed.
  async importNewBatch(
    integration: OrgIntegration,
    events: readonly EchoCRMEvent[],
    meta: { trigger: Trigger },
    trx: Db,
  ): Promise<ImportedBatch> {
    const started = performance.now();
    const startedAt = new Date().toISOString();
    const orgId = integration.orgId;
    if (events.length === 0) return { orgId, trigger: meta.trigger, echoChangedAt: [], beos: 0 };
    if (!allowsEchoToMaestro(integration.direction) || events.some((e) => e.deletedAt))
      throw new Error("importNewBatch: only for live events of an integration that takes Echo's changes");
    const now = startedAt;
    const rows = events.map((event): CalendarEventsTable => ({
      id: newId("cal"),
      orgId,
      ...calendarFieldsFromEcho(event),
      beoId: null,
      createdAt: now,
      updatedAt: now,
    }));
    // Signed contracts get their BEO with their calendar event.
    const created = await this.d.beos.insertCalendarEventsWithBeos(
      { orgId, actor: ECHO_ACTOR },
      rows.map((event, i) => ({ event, withBeo: events[i]!.contractStatus === "signed" })),
      "echo",
      trx,
    );
    const canonical = events.map(canonicalFromEcho);
    await this.d.links.insertMany(
      events.map((event, i) => newLink(orgId, event, rows[i]!.id, canonical[i]!, now)),
      trx,
    );
    await this.d.notifications.addMany(
      orgId,
      created.map(({ row, body }) => ({
        audience: ["ops", "chef"],
        kind: "beo.created",
        message: `Contract signed for "${body.header.eventName}" on ${body.event.date}: BEO #${row.beoNumber} created`,
        link: `/beos/${row.id}`,
      })),
      trx,
    );
    const beoOf = new Map(created.map(({ row }) => [row.calendarEventId, row.id]));
    // Each operation's share of the batch's time.
    const durationMs = (performance.now() - started) / events.length;
    await this.d.ops.recordMany(
      orgId,
      events.map((event, i) => {
        const values = canonical[i]!;
        const beoId = beoOf.get(rows[i]!.id);
        return {
          direction: "echo_to_maestro" as const,
          trigger: meta.trigger,
          echoEventId: event.id,
          startedAt,
          status: "succeeded" as const,
          changes: CANONICAL_FIELDS.map((f) => ({ field: f, from: null, to: values[f] })),
          reason: beoId ? "imported; contract signed: BEO created" : "imported",
          ...(beoId ? { beoId } : {}),
          durationMs,
        };
      }),
      trx,
    );
    return {
      orgId,
      trigger: meta.trigger,
      echoChangedAt: events.map((e) => Date.parse(e.updatedAt) - integration.client.clockOffsetMs),
      beos: created.length,
    };
  }

  // What applyEchoEvent does after each import, once for a committed batch.
  announceImported(batch: ImportedBatch): void {
    const { orgId, echoChangedAt } = batch;
    if (echoChangedAt.length === 0) return;
    this.d.metrics.syncOperations.inc({ direction: "echo_to_maestro", status: "succeeded" }, echoChangedAt.length);
    if (batch.trigger === "webhook") {
      for (const at of echoChangedAt) this.d.metrics.propagationSeconds.observe(Math.max(0, Date.now() - at) / 1000);
    }
    if (batch.beos > 0) {
      this.d.live.publish({ orgId, type: "beo.changed", data: {}, origin: "sync" });
      this.d.live.publish({ orgId, type: "notification", data: {}, origin: "sync" });
    }
    this.d.live.publish({ orgId, type: "calendar.changed", data: {}, origin: "sync" });
    this.d.live.publish({ orgId, type: "sync.status", data: {}, origin: "sync" });
    this.d.logger.info(
      { orgId, imported: echoChangedAt.length, beosCreated: batch.beos },
      "echo events imported in bulk",
    );
  }

  private async applyDeletion(
    trx: Db,
    integration: OrgIntegration,
    event: EchoCRMEvent,
    link: SyncLink,
    record: Recorder,
    locked?: CalendarEventsTable,
  ) {
    const orgId = integration.orgId;
    const cal = locked ?? (await this.d.calendarRepo.get(orgId, link.calendarEventId, trx));
    // The deletion carries Echo's final values: merge them like any change first, so
    // an update whose webhook was lost or overtaken by this one is not left behind
    // (its late delivery is stale now, and reconciliation skips deleted events).
    const merged = await this.mergeInto(trx, integration, event, link, async (op) => op as SyncOperation, {
      deleting: true,
      ...(cal ? { cal } : {}),
    });
    await this.d.calendarRepo.update(
      orgId,
      link.calendarEventId,
      { status: "cancelled", contractStatus: event.contractStatus, updatedAt: new Date().toISOString() },
      trx,
    );
    const beo = await this.d.beoRepo.findByCalendarEvent(orgId, link.calendarEventId, trx);
    if (beo && beo.status !== "cancelled")
      await this.d.beos.cancel({ orgId, actor: ECHO_ACTOR }, beo.id, "echo", undefined, trx);
    await this.d.links.update(orgId, event.id, { echoVersion: event.version, deleted: 1 }, trx);
    await this.d.notifications.add(
      orgId,
      ["ops", "chef"],
      "event.cancelled",
      `"${event.eventName}" on ${event.eventDate} was cancelled in Echo CRM`,
      beo ? `/beos/${beo.id}` : "/calendar",
      trx,
    );
    return record({
      status: "succeeded",
      changes: [
        ...merged.changes.filter((c) => c.field !== "status"),
        { field: "status", from: cal?.status ?? null, to: "cancelled" },
      ],
      reason: `deleted in Echo: calendar event and BEO cancelled, history kept${merged.reason?.startsWith("conflict") ? `; ${merged.reason}` : ""}`,
      ...(beo ? { beoId: beo.id } : {}),
    });
  }

  // `deleting`: Echo's final values before a cancellation; nothing can be pushed to a deleted event, and it gets no new BEO.
  private async mergeInto(
    trx: Db,
    integration: OrgIntegration,
    event: EchoCRMEvent,
    link: SyncLink,
    record: Recorder,
    // `cal`: the calendar event, when the caller has read it in this transaction under its lock.
    options: { deleting?: boolean; deliveries?: readonly EchoVersionChange[]; cal?: CalendarEventsTable } = {},
  ) {
    const orgId = integration.orgId;
    const cal = options.cal ?? (await this.d.calendarRepo.get(orgId, link.calendarEventId, trx))!;
    // A calendar event's BEO is written on it in the BEO's own transaction (and BEOs are
    // never deleted): without one, there is none to read.
    const beo = cal.beoId ? await this.d.beoRepo.get(orgId, cal.beoId, trx) : undefined;
    const echo = canonicalFromEcho(event);
    const maestro = canonicalFromCalendar(cal);
    const open = await this.d.conflicts.openFor(orgId, event.id, trx);
    const frozen = new Set(open.flatMap((c) => c.fields.map((f) => f.field as CanonicalField)));
    // One-way echo_to_maestro: Echo is the source of truth, Maestro never wins.
    const policy = allowsMaestroToEcho(integration.direction) ? integration.policy : "echo_wins";
    const base = baseWithOwnWrites(link, event.version, echo);
    const decisions = mergeFields({
      base,
      echo,
      maestro,
      policy,
      echoChangedAt: Date.parse(event.updatedAt) - integration.client.clockOffsetMs,
      echoFieldChangedAt: onMaestroClock(
        echoFieldChangeTimes(link.echoVersion, event.version, options.deliveries ?? []),
        integration.client.clockOffsetMs,
      ),
      maestroChangedAt: Object.fromEntries(Object.entries(link.maestroChangedAt).map(([k, v]) => [k, Date.parse(v!)])),
      frozen,
    });

    const toMaestro: Partial<CanonicalFields> = {};
    const changes: FieldChange[] = [];
    const autoResolved: ConflictField[] = [];
    const newManual: ConflictField[] = [];
    let needsPush = false;
    for (const d of decisions) {
      if (d.kind === "to_maestro") {
        setValue(toMaestro, d.field, d.value);
        changes.push({ field: d.field, from: maestro[d.field], to: d.value });
      } else if (d.kind === "to_echo") {
        needsPush = true;
      } else if (d.kind === "conflict") {
        const cf = { field: d.field, baseValue: d.base, echoValue: d.echo, maestroValue: d.maestro };
        if (d.winner === "echo") {
          setValue(toMaestro, d.field, d.echo);
          changes.push({ field: d.field, from: maestro[d.field], to: d.echo });
          autoResolved.push(cf);
        } else if (d.winner === "maestro") {
          needsPush = true;
          autoResolved.push(cf);
        } else if (!frozen.has(d.field)) newManual.push(cf);
      }
    }

    // Echo-only fields (status, budget, names) always follow Echo.
    const oneWay = calendarFieldsFromEcho(event);
    const oneWayPatch: Partial<CalendarEventsTable> = {};
    for (const key of ["status", "revenue", "clientName", "salesRepName", "endTime", "contractStatus"] as const) {
      if (!isDeepStrictEqual(cal[key], oneWay[key])) {
        (oneWayPatch as Record<string, unknown>)[key] = oneWay[key];
        changes.push({ field: key, from: cal[key], to: oneWay[key] });
      }
    }
    const now = new Date().toISOString();
    if (Object.keys(toMaestro).length > 0 || Object.keys(oneWayPatch).length > 0) {
      await this.d.calendarRepo.update(
        orgId,
        cal.id,
        { ...calendarPatchFromCanonical(toMaestro), ...oneWayPatch, updatedAt: now },
        trx,
      );
      if (beo && beo.status !== "cancelled") {
        const patch = beoPatchFromCanonical(toMaestro);
        const header = { ...(patch.header ?? {}) };
        if (oneWayPatch.clientName !== undefined) header.clientName = oneWayPatch.clientName ?? "";
        if (oneWayPatch.salesRepName !== undefined) header.salesRepName = oneWayPatch.salesRepName ?? "";
        if (Object.keys(header).length > 0) patch.header = header;
        if (oneWayPatch.endTime !== undefined) patch.event = { ...(patch.event ?? {}), endTime: oneWayPatch.endTime };
        // This transaction holds the calendar event's lock (taken above on PostgreSQL).
        await this.d.beos.patchUnderLock({ orgId, actor: ECHO_ACTOR }, beo.id, patch, "echo", trx);
      }
    }

    if (autoResolved.length > 0) {
      await this.d.conflicts.insert(
        orgId,
        {
          echoEventId: event.id,
          beoId: beo?.id ?? null,
          fields: autoResolved,
          policy,
          resolution: resolutionLabel(policy, decisions, autoResolved),
        },
        trx,
      );
    }
    if (newManual.length > 0) {
      await this.d.conflicts.insert(
        orgId,
        { echoEventId: event.id, beoId: beo?.id ?? null, fields: newManual, policy: "manual" },
        trx,
      );
      this.d.live.publish({ orgId, type: "conflict.changed", data: { echoEventId: event.id } });
      await this.d.notifications.add(
        orgId,
        ["ops"],
        "sync.conflict",
        `"${event.eventName}" was changed in both Echo and Maestro: choose which value to keep`,
        "/integration?tab=conflicts",
        trx,
      );
    }
    // Frozen fields: show the resolver Echo's latest value.
    for (const c of open) {
      const refreshed = c.fields.map((f) => ({
        ...f,
        echoValue: echo[f.field as CanonicalField],
        maestroValue: maestro[f.field as CanonicalField],
      }));
      if (!isDeepStrictEqual(refreshed, c.fields)) await this.d.conflicts.updateFields(orgId, c.id, refreshed, trx);
    }

    await this.d.links.update(
      orgId,
      event.id,
      {
        echoVersion: event.version,
        base: baseAfterMerge(base, decisions),
        echoBeoId: event.beoId ?? null,
        echoBeoStatus: event.beoStatus ?? null,
        // A version after the push's If-Match has told whether its write arrived.
        ...(link.pushing && event.version > link.pushing.version ? { pushing: null } : {}),
      },
      trx,
    );
    // The BEO read above, in this transaction, still stands; a signed contract without one gets it now.
    const beoId =
      event.contractStatus === "signed" && !options.deleting
        ? (beo?.id ?? (await this.ensureBeo(trx, orgId, cal.id)))
        : beo?.id;
    if (needsPush && allowsMaestroToEcho(integration.direction) && !options.deleting) {
      await this.d.jobs.enqueue(orgId, "push", event.id, { echoEventId: event.id, trigger: "beo_change" }, trx);
    }
    const status: SyncOperation["status"] =
      newManual.length > 0 || (changes.length === 0 && autoResolved.length > 0)
        ? "conflict"
        : changes.length > 0
          ? "succeeded"
          : "skipped";
    return record({
      status,
      changes,
      ...(beoId ? { beoId } : {}),
      reason:
        newManual.length > 0
          ? `conflict on ${newManual.map((f) => f.field).join(", ")}: frozen until resolved`
          : autoResolved.length > 0
            ? `conflict on ${autoResolved.map((f) => f.field).join(", ")} decided by ${policy}`
            : changes.length === 0
              ? "no mapped field changed"
              : "applied",
    });
  }

  // A signed contract gets exactly one BEO (the unique index backs this up).
  private async ensureBeo(trx: Db, orgId: string, calendarEventId: string): Promise<string> {
    const existing = await this.d.beoRepo.findByCalendarEvent(orgId, calendarEventId, trx);
    if (existing) return existing.id;
    const beo = await this.d.beos.createFromCalendarEvent({ orgId, actor: ECHO_ACTOR }, calendarEventId, "echo", trx);
    await this.d.notifications.add(
      orgId,
      ["ops", "chef"],
      "beo.created",
      `Contract signed for "${beo.header.eventName}" on ${beo.event.date}: BEO #${beo.beoNumber} created`,
      `/beos/${beo.id}`,
      trx,
    );
    this.d.live.publish({ orgId, type: "notification", data: { beoId: beo.id } });
    return beo.id;
  }

  // Maestro → Echo: pushes every canonical field Maestro changed since the base,
  // plus the BEO id and status, with If-Match. A 412 re-reads Echo, merges, retries.
  async pushToEcho(integration: OrgIntegration, echoEventId: string, trigger: Trigger): Promise<SyncOperation> {
    const orgId = integration.orgId;
    const started = performance.now();
    const startedAt = new Date().toISOString();
    const record = (
      op: Omit<SyncOperation, "id" | "startedAt" | "durationMs" | "direction" | "trigger">,
      db: Db = this.d.db,
    ) =>
      this.d.ops.record(
        orgId,
        {
          direction: "maestro_to_echo",
          trigger,
          echoEventId,
          startedAt,
          durationMs: performance.now() - started,
          ...op,
        },
        db,
      );
    const finish = (op: SyncOperation) => {
      this.d.metrics.syncOperations.inc({ direction: op.direction, status: op.status });
      this.d.live.publish({ orgId, type: "sync.status", data: {} });
      this.d.logger.info({ opId: op.id, echoEventId, status: op.status, reason: op.reason }, "push to echo processed");
      return op;
    };
    if (!allowsMaestroToEcho(integration.direction))
      return finish(await record({ status: "skipped", changes: [], reason: "sync direction is echo_to_maestro" }));

    // What this job set out to write, by field: found in Echo after a 412, it is on record as arrived.
    const attempted = new Map<string, FieldChange>();
    for (let round = 0; round < MAX_PUSH_ROUNDS; round++) {
      const link = await this.d.links.get(orgId, echoEventId);
      if (!link) return finish(await record({ status: "skipped", changes: [], reason: "not linked to an Echo event" }));
      if (link.deleted)
        return finish(await record({ status: "skipped", changes: [], reason: "the Echo event is deleted" }));
      const cal = await this.d.calendarRepo.get(orgId, link.calendarEventId);
      if (!cal) return finish(await record({ status: "skipped", changes: [], reason: "calendar event missing" }));
      const beo = await this.d.beoRepo.findByCalendarEvent(orgId, cal.id);
      const frozen = new Set(
        (await this.d.conflicts.openFor(orgId, echoEventId)).flatMap((c) => c.fields.map((f) => f.field)),
      );
      const maestro = canonicalFromCalendar(cal);
      const pushed = CANONICAL_FIELDS.filter((f) => !frozen.has(f) && !isDeepStrictEqual(maestro[f], link.base[f]));
      const values: Partial<CanonicalFields> = {};
      for (const f of pushed) setValue(values, f, maestro[f]);
      const patch: EchoEventPatch = echoPatchFromCanonical(values);
      if (beo && beo.id !== link.echoBeoId) patch.beoId = beo.id;
      if (beo && beo.status !== link.echoBeoStatus) patch.beoStatus = beo.status as EchoEventPatch["beoStatus"];
      const changes: FieldChange[] = pushed.map((f) => ({ field: f, from: link.base[f], to: maestro[f] }));
      if (patch.beoId) changes.push({ field: "beoId", from: link.echoBeoId, to: patch.beoId });
      if (patch.beoStatus) changes.push({ field: "beoStatus", from: link.echoBeoStatus, to: patch.beoStatus });
      if (Object.keys(patch).length === 0) {
        // Echo already holds values this job meant to write — typically written by an earlier
        // attempt whose answer was lost (Maestro killed between Echo's 200 and recording it).
        const arrived = [...attempted.values()].filter(
          (c) =>
            isDeepStrictEqual(maestro[c.field as CanonicalField], c.to) &&
            isDeepStrictEqual(link.base[c.field as CanonicalField], c.to),
        );
        if (arrived.length > 0) {
          return finish(
            await record({
              status: "succeeded",
              changes: arrived,
              reason: "Echo already has Maestro's values",
              ...(beo ? { beoId: beo.id } : {}),
            }),
          );
        }
        return finish(
          await record({
            status: "skipped",
            changes: [],
            reason: "nothing to push: Echo already has Maestro's values",
            ...(beo ? { beoId: beo.id } : {}),
          }),
        );
      }
      for (const c of changes) if (CANONICAL_FIELDS.includes(c.field as CanonicalField)) attempted.set(c.field, c);
      // On record before it is sent: if Echo applies it and the answer is lost, Echo's
      // next version holds these values, and the merge must know them for Maestro's own.
      if (pushed.length > 0) await this.d.links.update(orgId, echoEventId, { pushing: withAttempt(link, values) });
      let updated: EchoCRMEvent;
      try {
        updated = await integration.client.patchEvent(echoEventId, patch, link.echoVersion);
      } catch (err) {
        if (err instanceof EchoError && err.status === 412) {
          // Echo changed meanwhile: merge its version first, then push what is still ours.
          const fresh = await integration.client.getEvent(echoEventId);
          if (!allowsEchoToMaestro(integration.direction)) {
            // One-way to Echo: Maestro is the source of truth. Take Echo's state as
            // the base, so every field where Echo differs from Maestro is written.
            await this.d.links.update(orgId, echoEventId, {
              echoVersion: fresh.version,
              base: canonicalFromEcho(fresh),
              echoBeoId: fresh.beoId ?? null,
              echoBeoStatus: fresh.beoStatus ?? null,
            });
            continue;
          }
          if (fresh.version <= link.echoVersion) {
            // Echo's version is authoritative: ours was recorded from a delivery Echo never made.
            await this.d.links.update(orgId, echoEventId, { echoVersion: fresh.version });
          }
          // Deliveries of the versions in between, not merged yet, say when each field changed.
          await this.applyEchoEvent(integration, fresh, {
            trigger,
            deliveries: await this.pendingDeliveries(orgId, echoEventId),
          });
          continue;
        }
        if (err instanceof EchoError && (err.status === 404 || err.status === 410)) {
          await this.d.links.update(orgId, echoEventId, { deleted: 1 });
          return finish(
            await record({
              status: "failed",
              changes,
              error: "the Echo event no longer exists",
              ...(beo ? { beoId: beo.id } : {}),
            }),
          );
        }
        if (err instanceof EchoError && !err.retryable) throw new NonRetryableSyncError(err.message);
        throw err;
      }
      const op = await this.d.db.transaction().execute(async (trx) => {
        await this.d.calendarRepo.lock(orgId, link.calendarEventId, trx);
        const current = (await this.d.links.get(orgId, echoEventId, trx))!;
        const echoNow = canonicalFromEcho(updated);
        const base = { ...current.base };
        for (const f of pushed) setValue(base, f, echoNow[f]);
        await this.d.links.update(
          orgId,
          echoEventId,
          {
            echoVersion: Math.max(updated.version, current.echoVersion),
            base,
            echoBeoId: updated.beoId ?? null,
            echoBeoStatus: updated.beoStatus ?? null,
            pushing: null,
          },
          trx,
        );
        return record(
          {
            status: "succeeded",
            changes,
            reason: `Echo now at version ${updated.version}`,
            ...(beo ? { beoId: beo.id } : {}),
          },
          trx,
        );
      });
      return finish(op);
    }
    throw new Error(`Echo event ${echoEventId} kept changing during ${MAX_PUSH_ROUNDS} push attempts`);
  }
}

// Echo's change times by field, on Maestro's clock.
function onMaestroClock(
  times: Partial<Record<CanonicalField, number>> | undefined,
  offsetMs: number,
): Partial<Record<CanonicalField, number>> | undefined {
  if (!times) return undefined;
  return Object.fromEntries(Object.entries(times).map(([field, at]) => [field, at - offsetMs]));
}

// The base to merge an Echo version against. A push under way whose answer was
// lost (Maestro has not recorded it) may have arrived: a version of Echo after
// the push's If-Match that holds a field's pushed value holds Maestro's own write,
// which both sides therefore agree on — not a change made in Echo to set against
// a newer Maestro edit (a false conflict, or that edit overwritten).
function baseWithOwnWrites(link: SyncLink, version: number, echo: CanonicalFields): CanonicalFields {
  const base = { ...link.base };
  if (!link.pushing || version <= link.pushing.version) return base;
  for (const [field, sent] of Object.entries(link.pushing.values) as [CanonicalField, unknown[]][])
    if (sent.some((value) => isDeepStrictEqual(echo[field], value))) setValue(base, field, echo[field]);
  return base;
}

// The pushes under way once this attempt (these values, with If-Match the link's
// version) is added: earlier attempts against the same version are kept.
function withAttempt(link: SyncLink, values: Partial<CanonicalFields>): PushUnderWay {
  const earlier = link.pushing?.version === link.echoVersion ? link.pushing.values : {};
  const merged: PushUnderWay["values"] = { ...earlier };
  for (const [field, value] of Object.entries(values) as [CanonicalField, unknown][]) {
    const sent = merged[field] ?? [];
    if (!sent.some((v) => isDeepStrictEqual(v, value))) merged[field] = [...sent, value];
  }
  return { version: link.echoVersion, values: merged };
}

// A stored payload's JSON, or undefined when it is not JSON.
export function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

// The inbox row standing for a deletion that reconciliation found (no delivery of its own).
export const RECONCILED_DELETION_PREFIX = "reconciled-deletion:";

// What importNewBatch wrote, for announceImported: Echo's change times (on Maestro's clock) of the imported events.
export type ImportedBatch = { orgId: string; trigger: Trigger; echoChangedAt: number[]; beos: number };

type Recorder = (
  op: Omit<SyncOperation, "id" | "startedAt" | "durationMs" | "direction" | "trigger">,
) => Promise<SyncOperation>;

// The link of a newly imported event: its base is Echo's values, Maestro has changed nothing yet.
function newLink(orgId: string, event: EchoCRMEvent, calendarEventId: string, base: CanonicalFields, now: string) {
  return {
    orgId,
    echoEventId: event.id,
    calendarEventId,
    echoVersion: event.version,
    base,
    maestroChangedAt: {},
    echoBeoId: event.beoId ?? null,
    echoBeoStatus: event.beoStatus ?? null,
    deleted: 0,
    updatedAt: now,
    pushing: null,
  };
}

function setValue(target: Partial<CanonicalFields>, field: CanonicalField, value: unknown) {
  (target as Record<string, unknown>)[field] = value;
}

function resolutionLabel(policy: string, decisions: readonly FieldDecision[], fields: ConflictField[]): string {
  const winners = new Set(
    decisions
      .filter(
        (d): d is Extract<FieldDecision, { kind: "conflict" }> =>
          d.kind === "conflict" && fields.some((f) => f.field === d.field),
      )
      .map((d) => d.winner),
  );
  return `${policy}: ${[...winners].join(", ")} value kept`;
}
