import { sql, type Updateable } from "kysely";
import type { CalendarEventsTable, Db } from "../db/schema.ts";
import type { DialectName } from "../db/database.ts";
import { CALENDAR_SEARCH_EXPRESSION } from "../db/migrations.ts";
import { inChunks, insertRows } from "../db/batches.ts";

export type CalendarFilter = {
  from?: string;
  to?: string;
  q?: string;
  room?: string;
  source?: "echo" | "maestro";
  status?: string;
  limit?: number;
};

const escapeLike = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`);
const SHORT_RANGE_DAYS = 92;
// SQLite search of a term over the whole calendar, for a page of up to this many
// results: the first events in date order in which a common term's first matches are
// looked for before the trigram index is asked (see list()).
const COMMON_TERM_MAX_LIMIT = 200;
const COMMON_TERM_HEAD_ROWS = 1000;
const isShortRange = (f: CalendarFilter) =>
  Boolean(f.from && f.to && Date.parse(f.to) - Date.parse(f.from) <= SHORT_RANGE_DAYS * 86_400_000);

export class CalendarRepository {
  constructor(
    private readonly db: Db,
    private readonly dialect: DialectName,
  ) {}

  async list(orgId: string, filter: CalendarFilter, db: Db = this.db) {
    const limit = filter.limit ?? 5000;
    const q = filter.q?.trim().toLowerCase();
    const filtered = () => {
      let query = db.selectFrom("calendarEvents").where("orgId", "=", orgId);
      if (filter.from) query = query.where("date", ">=", filter.from);
      if (filter.to) query = query.where("date", "<=", filter.to);
      if (filter.room) query = query.where(sql`lower(room)`, "=", filter.room.toLowerCase());
      if (filter.source) query = query.where("source", "=", filter.source);
      if (filter.status) query = query.where("status", "=", filter.status);
      return query;
    };
    if (q && this.dialect === "sqlite" && q.length >= 3 && !isShortRange(filter) && limit <= COMMON_TERM_MAX_LIMIT) {
      // A common term (a room, a sales rep, "wedding"): the trigram index would hand
      // over all of its thousands of matches to be sorted by date, 40–90 ms over
      // 100,000 events. Its first matches in date order are among the first events in
      // that order: look there first (about 1 ms), and only a term with fewer matches
      // there than asked for goes through the index (a few ms more).
      const head = filtered()
        .select([
          sql<number>`calendar_events.rowid`.as("rid"),
          "date",
          "time",
          "id",
          "title",
          "clientName",
          "salesRepName",
          "room",
          "echoEventId",
        ])
        .orderBy("date")
        .orderBy("time")
        .orderBy("id")
        .limit(COMMON_TERM_HEAD_ROWS);
      const hits = db
        .selectFrom(head.as("head"))
        .select("rid")
        .where(sql<boolean>`instr(${sql.raw(CALENDAR_SEARCH_EXPRESSION)}, ${q}) > 0`)
        .orderBy("date")
        .orderBy("time")
        .orderBy("id")
        .limit(limit);
      const early = await db
        .selectFrom("calendarEvents")
        .selectAll()
        .where(sql`calendar_events.rowid`, "in", hits)
        .orderBy("date")
        .orderBy("time")
        .orderBy("id")
        .execute();
      if (early.length === limit) return early;
    }
    let query = filtered().selectAll();
    if (q) {
      if (this.dialect === "postgres") {
        // Uses the pg_trgm GIN index on the same expression.
        query = query.where(
          sql<boolean>`${sql.raw(CALENDAR_SEARCH_EXPRESSION)} like ${`%${escapeLike(q)}%`} escape '\\'`,
        );
      } else if (q.length >= 3 && !isShortRange(filter)) {
        // FTS5's trigram index answers LIKE for three characters or more, but not
        // with an ESCAPE clause (that scans every row): the unescaped LIKE narrows
        // the rows through the index ('%' and '_' in q may match more), instr() keeps
        // exact substring matches only, as the escaped LIKE did.
        query = query.where(
          sql<boolean>`calendar_events.rowid in (select rowid from calendar_search where body like ${`%${q}%`} and instr(body, ${q}) > 0)`,
        );
      } else {
        // Shorter than a trigram no index can help; within a few weeks or months
        // (the calendar board) the date index finds fewer rows than a common term
        // would in the whole trigram index: test the rows themselves.
        query = query.where(sql<boolean>`instr(${sql.raw(CALENDAR_SEARCH_EXPRESSION)}, ${q}) > 0`);
      }
    }
    return query.orderBy("date").orderBy("time").orderBy("id").limit(limit).execute();
  }

  // Active events in these rooms on these dates, for double-booking checks.
  activeInRooms(orgId: string, from: string, to: string, rooms: string[], db: Db = this.db) {
    if (rooms.length === 0) return Promise.resolve([]);
    return db
      .selectFrom("calendarEvents")
      .select(["id", "date", "time", "endTime", "room", "status"])
      .where("orgId", "=", orgId)
      .where("date", ">=", from)
      .where("date", "<=", to)
      .where("status", "!=", "cancelled")
      .where(
        sql`lower(room)`,
        "in",
        rooms.map((r) => r.toLowerCase()),
      )
      .execute();
  }

  // The same, on exactly these dates: a search's few results can span years, and
  // only events on their own dates can double-book them.
  activeOnDates(orgId: string, dates: string[], rooms: string[], db: Db = this.db) {
    if (rooms.length === 0 || dates.length === 0) return Promise.resolve([]);
    return db
      .selectFrom("calendarEvents")
      .select(["id", "date", "time", "endTime", "room", "status"])
      .where("orgId", "=", orgId)
      .where("date", "in", dates)
      .where("status", "!=", "cancelled")
      .where(
        sql`lower(room)`,
        "in",
        rooms.map((r) => r.toLowerCase()),
      )
      .execute();
  }

  get(orgId: string, id: string, db: Db = this.db) {
    return db
      .selectFrom("calendarEvents")
      .selectAll()
      .where("orgId", "=", orgId)
      .where("id", "=", id)
      .executeTakeFirst();
  }

  // Row lock on PostgreSQL (SQLite serializes writers already). Every writer of a
  // calendar event, its BEO or its sync link takes this lock first, so
  // concurrent user edits and sync merges queue up instead of racing.
  // Locks the row for the transaction (PostgreSQL); false where writers are serialized
  // anyway (SQLite: one connection), so nothing read before can have changed.
  async lock(orgId: string, id: string, db: Db): Promise<boolean> {
    if (this.dialect !== "postgres") return false;
    await db
      .selectFrom("calendarEvents")
      .select("id")
      .where("orgId", "=", orgId)
      .where("id", "=", id)
      .forUpdate()
      .execute();
    return true;
  }

  // PostgreSQL: the calendar event linked to this Echo event, locked as lock() does
  // and read in the same statement (its newest committed version: a lock waited for
  // returns the row as the holder left it). Undefined when there is no such link or
  // row, and on SQLite, where it asks nothing (lock() locks nothing there either).
  async lockLinkedTo(orgId: string, echoEventId: string, db: Db): Promise<CalendarEventsTable | undefined> {
    if (this.dialect !== "postgres") return undefined;
    return db
      .selectFrom("calendarEvents")
      .selectAll()
      .where("orgId", "=", orgId)
      .where("id", "=", (eb) =>
        eb
          .selectFrom("syncLinks")
          .select("syncLinks.calendarEventId")
          .where("syncLinks.orgId", "=", orgId)
          .where("syncLinks.echoEventId", "=", echoEventId),
      )
      .forUpdate()
      .executeTakeFirst();
  }

  findByEchoId(orgId: string, echoEventId: string, db: Db = this.db) {
    return db
      .selectFrom("calendarEvents")
      .selectAll()
      .where("orgId", "=", orgId)
      .where("echoEventId", "=", echoEventId)
      .executeTakeFirst();
  }

  // Which of these Echo ids a calendar event already carries (linked or not).
  async echoIdsPresent(orgId: string, echoEventIds: readonly string[], db: Db = this.db): Promise<Set<string>> {
    const present = new Set<string>();
    for (const ids of inChunks(echoEventIds, 1)) {
      const rows = await db
        .selectFrom("calendarEvents")
        .select("echoEventId")
        .where("orgId", "=", orgId)
        .where("echoEventId", "in", ids)
        .execute();
      for (const r of rows) if (r.echoEventId) present.add(r.echoEventId);
    }
    return present;
  }

  // The search index follows by itself: FTS5 triggers on SQLite fire for every
  // row of a multi-row insert, and PostgreSQL's pg_trgm index is an index.
  async insert(row: CalendarEventsTable, db: Db = this.db) {
    await db.insertInto("calendarEvents").values(row).execute();
  }

  // Many rows, in as few statements as the parameter limits allow.
  async insertMany(rows: readonly CalendarEventsTable[], db: Db = this.db) {
    await insertRows(db, "calendarEvents", rows);
  }

  async update(orgId: string, id: string, patch: Updateable<CalendarEventsTable>, db: Db = this.db) {
    await db.updateTable("calendarEvents").set(patch).where("orgId", "=", orgId).where("id", "=", id).execute();
  }
}
