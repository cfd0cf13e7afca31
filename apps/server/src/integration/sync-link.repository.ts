import { sql, type Updateable } from "kysely";
import type { DialectName } from "../db/database.ts";
import { insertRows } from "../db/batches.ts";
import type { Db, SyncLinksTable } from "../db/schema.ts";
import type { CanonicalField, CanonicalFields } from "./field-mapping.ts";

// Pushes under way: the values sent to Echo with If-Match `version`, by field (one
// per attempt: a retry sends the newest), until an answer is on record. If answers
// were lost, Echo's next version may hold the values of any one of those attempts.
export type PushUnderWay = { version: number; values: Partial<Record<CanonicalField, unknown[]>> };

export type SyncLink = Omit<SyncLinksTable, "base" | "maestroChangedAt" | "pushing"> & {
  base: CanonicalFields;
  maestroChangedAt: Partial<Record<CanonicalField, string>>;
  pushing: PushUnderWay | null;
};

const fromRow = (row: SyncLinksTable): SyncLink => ({
  ...row,
  base: JSON.parse(row.base) as CanonicalFields,
  maestroChangedAt: JSON.parse(row.maestroChangedAt) as SyncLink["maestroChangedAt"],
  pushing: row.pushing === null ? null : (JSON.parse(row.pushing) as PushUnderWay),
});

const toRow = (link: SyncLink) => ({
  ...link,
  base: JSON.stringify(link.base),
  maestroChangedAt: JSON.stringify(link.maestroChangedAt),
  pushing: link.pushing === null ? null : JSON.stringify(link.pushing),
});

// The base a calendar event's canonical columns make (canonicalFromCalendar), as
// JSON object arguments, keys in the order the base is written in.
const CALENDAR_AS_BASE = [
  sql.lit("eventName"),
  sql.ref("c.title"),
  sql.lit("eventDate"),
  sql.ref("c.date"),
  sql.lit("eventTime"),
  sql.ref("c.time"),
  sql.lit("room"),
  sql.ref("c.room"),
  sql.lit("guaranteed"),
  sql.ref("c.guestCount"),
  sql.lit("specialRequests"),
  sql`coalesce(${sql.ref("c.notes")}, '')`,
];

export class SyncLinkRepository {
  constructor(
    private readonly db: Db,
    private readonly dialect: DialectName,
  ) {}

  // PostgreSQL: a transaction-scoped advisory lock per Echo event, for the events
  // not linked yet (whose calendar row, the usual lock, may not exist): their
  // imports and deletions, which two transactions may apply at once (a delivery
  // and a reconciliation), take their turns, and each reads what the other
  // committed. Taken in sorted order, so that two batches cannot deadlock.
  // SQLite has one writer at a time: nothing to do.
  async lockUnlinked(orgId: string, echoEventIds: readonly string[], db: Db): Promise<void> {
    if (this.dialect !== "postgres") return;
    const keys = [...new Set(echoEventIds)].sort().map((id) => `maestro:echo-event:${orgId}:${id}`);
    if (keys.length === 0) return;
    await sql`select pg_advisory_xact_lock(hashtextextended(k, 0)) from unnest(${keys}::text[]) with ordinality as t(k, n) order by n`.execute(
      db,
    );
  }

  async get(orgId: string, echoEventId: string, db: Db = this.db): Promise<SyncLink | undefined> {
    const row = await db
      .selectFrom("syncLinks")
      .selectAll()
      .where("orgId", "=", orgId)
      .where("echoEventId", "=", echoEventId)
      .executeTakeFirst();
    return row && fromRow(row);
  }

  async byCalendarEvent(orgId: string, calendarEventId: string, db: Db = this.db): Promise<SyncLink | undefined> {
    const row = await db
      .selectFrom("syncLinks")
      .selectAll()
      .where("orgId", "=", orgId)
      .where("calendarEventId", "=", calendarEventId)
      .executeTakeFirst();
    return row && fromRow(row);
  }

  async insert(link: SyncLink, db: Db = this.db) {
    await db.insertInto("syncLinks").values(toRow(link)).execute();
  }

  // Many links, in as few statements as the parameter limits allow.
  async insertMany(links: readonly SyncLink[], db: Db = this.db) {
    if (links.length === 0) return;
    await insertRows(db, "syncLinks", links.map(toRow));
  }

  async update(
    orgId: string,
    echoEventId: string,
    patch: Omit<Updateable<SyncLinksTable>, "base" | "maestroChangedAt" | "pushing"> &
      Partial<Pick<SyncLink, "base" | "maestroChangedAt" | "pushing">>,
    db: Db = this.db,
  ) {
    const { base, maestroChangedAt, pushing, ...rest } = patch;
    await db
      .updateTable("syncLinks")
      .set({
        ...rest,
        ...(base ? { base: JSON.stringify(base) } : {}),
        ...(maestroChangedAt ? { maestroChangedAt: JSON.stringify(maestroChangedAt) } : {}),
        ...(pushing !== undefined ? { pushing: pushing === null ? null : JSON.stringify(pushing) } : {}),
        updatedAt: new Date().toISOString(),
      })
      .where("orgId", "=", orgId)
      .where("echoEventId", "=", echoEventId)
      .execute();
  }

  // Version, deletion and sync time of many links in one query (the events browser).
  async byEchoIds(orgId: string, echoEventIds: readonly string[], db: Db = this.db) {
    const result = new Map<string, { echoVersion: number; deleted: number; updatedAt: string }>();
    for (let i = 0; i < echoEventIds.length; i += 500) {
      const rows = await db
        .selectFrom("syncLinks")
        .select(["echoEventId", "echoVersion", "deleted", "updatedAt"])
        .where("orgId", "=", orgId)
        .where("echoEventId", "in", echoEventIds.slice(i, i + 500))
        .execute();
      for (const r of rows) result.set(r.echoEventId, r);
    }
    return result;
  }

  // Active links whose base may differ from their calendar event's canonical
  // columns, or whose BEO (id, status) is not what Echo was last told, with those
  // columns and that BEO, in Echo id order, a page at a time after `afterEchoId`
  // (links whose calendar event is gone are left out, and so are those with work
  // queued: it sends what is current when it runs). The database leaves out the
  // links whose base is the calendar's values as JSON and whose BEO Echo knows:
  // most of them. The caller compares the rest field by field.
  async mayDifferFromCalendar(orgId: string, afterEchoId: string | null, limit: number, db: Db = this.db) {
    const calendarAsBase =
      this.dialect === "postgres"
        ? sql<boolean>`l.base::jsonb is distinct from jsonb_build_object(${sql.join(CALENDAR_AS_BASE)})`
        : sql<boolean>`l.base is not json_object(${sql.join(CALENDAR_AS_BASE)})`;
    const beoUntold = sql<boolean>`(b.id is not null and (l.echo_beo_id is null or l.echo_beo_id <> b.id
      or l.echo_beo_status is null or l.echo_beo_status <> b.status))`;
    let query = db
      .selectFrom("syncLinks as l")
      .innerJoin("calendarEvents as c", (join) =>
        join.onRef("c.orgId", "=", "l.orgId").onRef("c.id", "=", "l.calendarEventId"),
      )
      .leftJoin("beos as b", (join) =>
        join.onRef("b.orgId", "=", "l.orgId").onRef("b.calendarEventId", "=", "l.calendarEventId"),
      )
      .selectAll("l")
      .select([
        "c.title",
        "c.date",
        "c.time",
        "c.room",
        "c.guestCount",
        "c.notes",
        "b.id as beoId",
        "b.status as beoStatus",
      ])
      .where("l.orgId", "=", orgId)
      .where("l.deleted", "=", 0)
      .where((eb) => eb.or([calendarAsBase, beoUntold]))
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom("syncJobs as j")
              .select(sql`1`.as("one"))
              .whereRef("j.orgId", "=", "l.orgId")
              .whereRef("j.orderingKey", "=", "l.echoEventId")
              .where("j.status", "in", ["queued", "running"]),
          ),
        ),
      );
    if (afterEchoId !== null) query = query.where("l.echoEventId", ">", afterEchoId);
    const rows = await query.orderBy("l.echoEventId").limit(limit).execute();
    return rows.map(({ title, date, time, room, guestCount, notes, beoId, beoStatus, ...link }) => ({
      link: fromRow(link),
      calendar: { title, date, time, room, guestCount, notes },
      beo: beoId === null ? null : { id: beoId, status: beoStatus! },
    }));
  }
}
