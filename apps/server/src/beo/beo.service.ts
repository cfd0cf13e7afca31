import type { BEODocument, BeoPatch } from "@maestro/shared/maestro.schema";
import { newId } from "@maestro/shared/ids";
import type { CalendarRepository } from "../calendar/calendar.repository.ts";
import type { BeosTable, CalendarEventsTable, Db } from "../db/schema.ts";
import { inTransaction } from "../db/transaction.ts";
import { AppError, conflict, invalidInput, notFound } from "../http/errors.ts";
import { composeSpecialRequests, parseSpecialRequests } from "../integration/special-requests.ts";
import type { LiveBus } from "../live/live-bus.ts";
import type { OrganizationRepository } from "../org/organization.repository.ts";
import { applyBeoPatch, diffBodies, type BeoBody } from "./beo-document.ts";
import { parseBody, toBeoDocument } from "./beo-mapper.ts";
import type { BeoListFilter, BeoRepository } from "./beo.repository.ts";

export type ChangeSource = "user" | "echo" | "system";
export type Actor = { orgId: string; actor: string };
export type BeoChange = {
  kind: "created" | "updated" | "approved" | "cancelled";
  source: ChangeSource;
  actor: string;
  row: BeosTable;
  changes: { field: string; old: unknown; new: unknown }[];
};
// Called inside the write's transaction: the integration writes its outbox job there.
export type BeoChangeHook = (trx: Db, change: BeoChange) => Promise<void>;
// The same for the changes of a batch, told at once (without it, the single hook runs per change).
export type BeoChangesHook = (trx: Db, changes: readonly BeoChange[]) => Promise<void>;
export type CreatedBeo = { row: BeosTable; body: BeoBody };
// Fields frozen by an open conflict (manual policy), per BEO.
export type FrozenFieldsLookup = (orgId: string, beoId: string, db?: Db) => Promise<string[]>;

const MAX_OPTIMISTIC_RETRIES = 5;

export class BeoService {
  private hook: BeoChangeHook | undefined;
  private batchHook: BeoChangesHook | undefined;
  private frozen: FrozenFieldsLookup = async () => [];

  constructor(
    private readonly db: Db,
    private readonly repo: BeoRepository,
    private readonly calendar: CalendarRepository,
    private readonly orgs: OrganizationRepository,
    private readonly live: LiveBus,
    private readonly overagePercent: number,
  ) {}

  onChange(hook: BeoChangeHook) {
    this.hook = hook;
  }

  onChanges(hook: BeoChangesHook) {
    this.batchHook = hook;
  }

  setFrozenFieldsLookup(lookup: FrozenFieldsLookup) {
    this.frozen = lookup;
  }

  async get(orgId: string, id: string, db?: Db): Promise<BEODocument> {
    const row = await this.repo.get(orgId, id, db);
    if (!row) throw notFound("BEO");
    return toBeoDocument(row, this.overagePercent, await this.frozen(orgId, id, db));
  }

  documentOf(row: BeosTable, frozen: string[] = []): BEODocument {
    return toBeoDocument(row, this.overagePercent, frozen);
  }

  async list(orgId: string, filter: BeoListFilter) {
    const { rows, nextCursor } = await this.repo.list(orgId, filter);
    return { data: rows.map((r) => toBeoDocument(r, this.overagePercent)), nextCursor };
  }

  async revisions(orgId: string, id: string) {
    if (!(await this.repo.get(orgId, id))) throw notFound("BEO");
    const rows = await this.repo.revisions(orgId, id);
    return rows.map((r) => ({
      id: r.id,
      version: r.version,
      field: r.field,
      old: r.oldValue == null ? null : (JSON.parse(r.oldValue) as unknown),
      new: r.newValue == null ? null : (JSON.parse(r.newValue) as unknown),
      who: r.who,
      source: r.source as ChangeSource,
      at: r.at,
    }));
  }

  // A BEO for a calendar event; at most one per event (and so per Echo event).
  async createFromCalendarEvent(
    actor: Actor,
    calendarEventId: string,
    source: ChangeSource,
    outer?: Db,
  ): Promise<BEODocument> {
    const row = await inTransaction(this.db, outer, async (trx) => {
      await this.calendar.lock(actor.orgId, calendarEventId, trx);
      const event = await this.calendar.get(actor.orgId, calendarEventId, trx);
      if (!event) throw notFound("calendar event");
      const existing = await this.repo.findByCalendarEvent(actor.orgId, calendarEventId, trx);
      if (existing) throw conflict("this calendar event already has a BEO", { beoId: existing.id });
      return this.insert(trx, actor, source, bodyFromCalendarEvent(event), event);
    });
    this.publish(row);
    return this.get(actor.orgId, row.id, outer);
  }

  // A bulk import: calendar events not stored yet, inserted in one statement (one
  // per table in all); those marked `withBeo` get a BEO each. The rows, revisions,
  // BEO numbers (consecutive, in this order) and change hooks are those
  // createFromCalendarEvent gives each of them once stored. Nothing is announced
  // here: the caller publishes once it has committed. Returns the BEOs created.
  async insertCalendarEventsWithBeos(
    actor: Actor,
    entries: readonly { event: CalendarEventsTable; withBeo: boolean }[],
    source: ChangeSource,
    trx: Db,
  ): Promise<CreatedBeo[]> {
    if (entries.some((e) => e.event.orgId !== actor.orgId)) throw new Error("calendar events of another organization");
    const count = entries.filter((e) => e.withBeo).length;
    const now = new Date().toISOString();
    // Numbers first: on SQLite a statement after the calendar rows flushes their
    // search index, and one flush per batch is cheaper than two.
    let next = count > 0 ? await this.orgs.reserveBeoNumbers(trx, actor.orgId, count) : 0;
    const created: CreatedBeo[] = [];
    const rows = entries.map(({ event, withBeo }): CalendarEventsTable => {
      if (!withBeo) return event;
      const body = bodyFromCalendarEvent(event);
      const row = newBeoRow(actor.orgId, next++, body, event, now);
      created.push({ row, body });
      return { ...event, beoId: row.id, updatedAt: now };
    });
    await this.calendar.insertMany(rows, trx);
    if (created.length === 0) return created;
    await this.repo.insertMany(
      created.map((c) => c.row),
      trx,
    );
    await this.repo.addRevisionsMany(
      actor.orgId,
      created.map((c) => ({ beoId: c.row.id, version: 1, who: actor.actor, source, changes: [CREATED_REVISION] })),
      trx,
    );
    const changes = created.map((c): BeoChange => ({
      kind: "created",
      source,
      actor: actor.actor,
      row: c.row,
      changes: [],
    }));
    if (this.batchHook) await this.batchHook(trx, changes);
    else for (const change of changes) await this.hook?.(trx, change);
    return created;
  }

  async createFromDocument(actor: Actor, body: BeoBody): Promise<BEODocument> {
    const row = await this.db.transaction().execute(async (trx) => {
      const now = new Date().toISOString();
      const event: CalendarEventsTable = {
        id: newId("cal"),
        orgId: actor.orgId,
        title: body.header.eventName,
        date: body.event.date,
        time: body.event.time,
        endTime: body.event.endTime ?? null,
        room: body.event.room,
        guestCount: body.event.guaranteed,
        status: "tentative",
        revenue: null,
        clientName: body.header.clientName ?? null,
        salesRepName: body.header.salesRepName ?? null,
        notes:
          composeSpecialRequests({ setup: body.setup.specialRequests, kitchen: body.menu.specialInstructions }) || null,
        source: "maestro",
        echoEventId: null,
        contractStatus: null,
        beoId: null,
        createdAt: now,
        updatedAt: now,
      };
      await this.calendar.insert(event, trx);
      return this.insert(trx, actor, "user", body, event);
    });
    this.publish(row);
    return this.get(actor.orgId, row.id);
  }

  private async insert(trx: Db, actor: Actor, source: ChangeSource, body: BeoBody, event: CalendarEventsTable) {
    const now = new Date().toISOString();
    const row = newBeoRow(actor.orgId, await this.orgs.nextBeoNumber(trx, actor.orgId), body, event, now);
    await this.repo.insert(row, trx);
    await this.calendar.update(actor.orgId, event.id, { beoId: row.id, updatedAt: now }, trx);
    await this.repo.addRevisions(actor.orgId, row.id, 1, actor.actor, source, [CREATED_REVISION], trx);
    await this.hook?.(trx, { kind: "created", source, actor: actor.actor, row, changes: [] });
    return row;
  }

  // A partial change by a user (or by the sync engine with source "echo").
  async patch(
    actor: Actor,
    id: string,
    patch: BeoPatch,
    options: { ifMatch?: number; source?: ChangeSource; allowFrozen?: boolean } = {},
    outer?: Db,
  ): Promise<BEODocument> {
    const source = options.source ?? "user";
    if (patch.status === "cancelled") {
      const { status: _status, ...rest } = patch;
      if (Object.keys(rest).length > 0) throw invalidInput("cancel a BEO on its own, without other changes");
      return this.cancel(actor, id, source, options.ifMatch, outer);
    }
    const frozen = options.allowFrozen ? [] : await this.frozen(actor.orgId, id, outer);
    await this.mutate(actor, id, source, options.ifMatch, outer, patchChange(patch, frozen));
    return this.get(actor.orgId, id, outer);
  }

  // The sync engine's change to a BEO, in the engine's transaction, which holds the
  // lock of the BEO's calendar event already (nothing can change the BEO meanwhile).
  // Frozen fields are the engine's to decide; nothing is read back.
  async patchUnderLock(actor: Actor, id: string, patch: BeoPatch, source: ChangeSource, trx: Db): Promise<void> {
    if (patch.status === "cancelled") throw new Error("patchUnderLock: cancel a BEO with cancel()");
    await this.mutate(actor, id, source, undefined, trx, patchChange(patch, []), { lockHeld: true });
  }

  async approve(actor: Actor, id: string, ifMatch?: number): Promise<BEODocument> {
    await this.mutate(actor, id, "user", ifMatch, undefined, (body, row) => {
      if (row.status === "cancelled") throw conflict("a cancelled BEO cannot be approved");
      if (row.status === "approved") throw conflict("this BEO is already approved");
      return { body, status: "approved", kind: "approved" };
    });
    return this.get(actor.orgId, id);
  }

  async cancel(actor: Actor, id: string, source: ChangeSource, ifMatch?: number, outer?: Db): Promise<BEODocument> {
    await this.mutate(actor, id, source, ifMatch, outer, (body) => ({
      body,
      status: "cancelled",
      kind: "cancelled",
    }));
    return this.get(actor.orgId, id, outer);
  }

  private async mutate(
    actor: Actor,
    id: string,
    source: ChangeSource,
    ifMatch: number | undefined,
    outer: Db | undefined,
    change: BeoMutation,
    // lockHeld: `outer` holds the lock of the BEO's calendar event already.
    options: { lockHeld?: boolean } = {},
  ): Promise<void> {
    for (let attempt = 0; attempt < MAX_OPTIMISTIC_RETRIES; attempt++) {
      const result = await inTransaction(this.db, outer, async (trx) => {
        const unlocked = await this.repo.get(actor.orgId, id, trx);
        if (!unlocked) throw notFound("BEO");
        let row = unlocked;
        // Read again under the lock, unless it was held when the row was read.
        if (!options.lockHeld || !outer) {
          await this.calendar.lock(actor.orgId, unlocked.calendarEventId, trx);
          row = (await this.repo.get(actor.orgId, id, trx))!;
        }
        if (ifMatch !== undefined && row.version !== ifMatch) {
          throw new AppError(412, "version_mismatch", `BEO is at version ${row.version}, not ${ifMatch}`, {
            currentVersion: row.version,
          });
        }
        const body = parseBody(row.doc);
        const next = change(body, row);
        const changes: BeoChange["changes"] = diffBodies(body, next.body);
        if (next.status !== row.status) changes.push({ field: "status", old: row.status, new: next.status });
        if (changes.length === 0) return { row, changed: false as const };
        const now = new Date().toISOString();
        const approved = next.kind === "approved";
        const updated: BeosTable = {
          ...row,
          version: row.version + 1,
          status: next.status,
          doc: JSON.stringify(next.body),
          updatedAt: now,
          ...(approved
            ? {
                approvedVersion: row.version + 1,
                approvedDoc: JSON.stringify(next.body),
                approvedBy: actor.actor,
                approvedAt: now,
              }
            : {}),
        };
        const ok = await this.repo.updateIfVersion(actor.orgId, id, row.version, updated, trx);
        if (!ok) return undefined; // lost a race: re-read and apply again
        await this.repo.addRevisions(actor.orgId, id, updated.version, actor.actor, source, changes, trx);
        await this.projectToCalendar(trx, updated, next.body);
        await this.hook?.(trx, { kind: next.kind, source, actor: actor.actor, row: updated, changes });
        return { row: updated, changed: true as const };
      });
      if (!result) {
        if (ifMatch !== undefined) throw new AppError(412, "version_mismatch", "BEO changed meanwhile");
        continue;
      }
      if (result.changed) this.publish(result.row);
      return;
    }
    throw conflict("BEO is being changed by others; try again");
  }

  // The calendar shows what the BEO says: keep the shared fields in step.
  private async projectToCalendar(trx: Db, row: BeosTable, body: BeoBody) {
    await this.calendar.update(
      row.orgId,
      row.calendarEventId,
      {
        title: body.header.eventName,
        date: body.event.date,
        time: body.event.time,
        endTime: body.event.endTime ?? null,
        room: body.event.room,
        guestCount: body.event.guaranteed,
        notes:
          composeSpecialRequests({ setup: body.setup.specialRequests, kitchen: body.menu.specialInstructions }) || null,
        ...(row.status === "cancelled" ? { status: "cancelled" } : {}),
        updatedAt: row.updatedAt,
      },
      trx,
    );
  }

  private publish(row: BeosTable) {
    this.live.publish({ orgId: row.orgId, type: "beo.changed", data: { id: row.id, version: row.version } });
    this.live.publish({ orgId: row.orgId, type: "calendar.changed", data: { id: row.calendarEventId } });
  }
}

// A new BEO's first revision.
const CREATED_REVISION = { field: "status", old: null, new: "draft" } as const;

function newBeoRow(
  orgId: string,
  beoNumber: number,
  body: BeoBody,
  event: CalendarEventsTable,
  now: string,
): BeosTable {
  return {
    id: newId("beo"),
    orgId,
    beoNumber,
    version: 1,
    status: "draft",
    doc: JSON.stringify(body),
    echoEventId: event.echoEventId,
    calendarEventId: event.id,
    approvedVersion: null,
    approvedDoc: null,
    approvedBy: null,
    approvedAt: null,
    createdAt: now,
    updatedAt: now,
  };
}

export function bodyFromCalendarEvent(event: CalendarEventsTable): BeoBody {
  const requests = parseSpecialRequests(event.notes ?? "");
  return {
    header: {
      eventName: event.title,
      ...(event.clientName ? { clientName: event.clientName } : {}),
      ...(event.salesRepName ? { salesRepName: event.salesRepName } : {}),
    },
    event: {
      date: event.date,
      time: event.time,
      ...(event.endTime ? { endTime: event.endTime } : {}),
      room: event.room,
      guaranteed: event.guestCount,
    },
    menu: { items: [], specialInstructions: requests.kitchen },
    setup: { specialRequests: requests.setup },
  };
}

type BeoMutation = (body: BeoBody, row: BeosTable) => { body: BeoBody; status: string; kind: BeoChange["kind"] };

// A partial change to a BEO, refused where it touches a field frozen by an open conflict.
function patchChange(patch: BeoPatch, frozen: readonly string[]): BeoMutation {
  return (body, row) => {
    if (row.status === "cancelled") throw conflict("this BEO is cancelled");
    const next = applyBeoPatch(body, patch);
    const touched = diffBodies(body, next).map((c) => c.field);
    const blocked = touched.filter((f) => frozen.includes(f));
    if (blocked.length > 0) {
      throw conflict("these fields are frozen by an open sync conflict; resolve it first", { fields: blocked });
    }
    let status = row.status;
    if (patch.status && patch.status !== row.status) {
      if (row.status === "approved") throw conflict("an approved BEO returns to pending approval by being changed");
      status = patch.status;
    }
    // Any change to an approved BEO sends it back to the chef.
    if (row.status === "approved" && touched.length > 0) status = "pending_approval";
    return { body: next, status, kind: "updated" };
  };
}
