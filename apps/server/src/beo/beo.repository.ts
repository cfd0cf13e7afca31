import type { Updateable } from "kysely";
import { newId } from "@maestro/shared/ids";
import { insertRows } from "../db/batches.ts";
import type { BeosTable, Db } from "../db/schema.ts";

export type BeoListFilter = { date?: string; status?: string; echoEventId?: string; limit: number; cursor?: string };

export class BeoRepository {
  constructor(private readonly db: Db) {}

  get(orgId: string, id: string, db: Db = this.db) {
    return db.selectFrom("beos").selectAll().where("orgId", "=", orgId).where("id", "=", id).executeTakeFirst();
  }

  findByEchoId(orgId: string, echoEventId: string, db: Db = this.db) {
    return db
      .selectFrom("beos")
      .selectAll()
      .where("orgId", "=", orgId)
      .where("echoEventId", "=", echoEventId)
      .executeTakeFirst();
  }

  findByCalendarEvent(orgId: string, calendarEventId: string, db: Db = this.db) {
    return db
      .selectFrom("beos")
      .selectAll()
      .where("orgId", "=", orgId)
      .where("calendarEventId", "=", calendarEventId)
      .executeTakeFirst();
  }

  // Newest first; the cursor is the last id of the previous page (ids sort by creation).
  async list(orgId: string, filter: BeoListFilter, db: Db = this.db) {
    let query = db.selectFrom("beos").selectAll().where("orgId", "=", orgId);
    if (filter.status) query = query.where("status", "=", filter.status);
    if (filter.echoEventId) query = query.where("echoEventId", "=", filter.echoEventId);
    if (filter.date) {
      query = query.where("calendarEventId", "in", (eb) =>
        eb.selectFrom("calendarEvents").select("id").where("orgId", "=", orgId).where("date", "=", filter.date!),
      );
    }
    if (filter.cursor) query = query.where("id", "<", filter.cursor);
    const rows = await query
      .orderBy("id", "desc")
      .limit(filter.limit + 1)
      .execute();
    const page = rows.slice(0, filter.limit);
    return { rows: page, nextCursor: rows.length > filter.limit ? page[page.length - 1]!.id : null };
  }

  async insert(row: BeosTable, db: Db = this.db) {
    await db.insertInto("beos").values(row).execute();
  }

  // Many BEOs, in as few statements as the parameter limits allow.
  async insertMany(rows: readonly BeosTable[], db: Db = this.db) {
    if (rows.length === 0) return;
    await insertRows(db, "beos", rows);
  }

  // Optimistic update: succeeds only if the stored version is still `expectedVersion`.
  async updateIfVersion(
    orgId: string,
    id: string,
    expectedVersion: number,
    patch: Updateable<BeosTable>,
    db: Db = this.db,
  ) {
    const result = await db
      .updateTable("beos")
      .set(patch)
      .where("orgId", "=", orgId)
      .where("id", "=", id)
      .where("version", "=", expectedVersion)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async addRevisions(
    orgId: string,
    beoId: string,
    version: number,
    who: string,
    source: "user" | "echo" | "system",
    changes: { field: string; old: unknown; new: unknown }[],
    db: Db = this.db,
  ) {
    await this.addRevisionsMany(orgId, [{ beoId, version, who, source, changes }], db);
  }

  // The revisions of several BEOs (or versions) in as few statements as the parameter limits allow.
  async addRevisionsMany(
    orgId: string,
    entries: readonly {
      beoId: string;
      version: number;
      who: string;
      source: "user" | "echo" | "system";
      changes: readonly { field: string; old: unknown; new: unknown }[];
    }[],
    db: Db = this.db,
  ) {
    const at = new Date().toISOString();
    const rows = entries.flatMap((e) =>
      e.changes.map((c) => ({
        id: newId("rev"),
        orgId,
        beoId: e.beoId,
        version: e.version,
        field: c.field,
        oldValue: c.old === undefined ? null : JSON.stringify(c.old),
        newValue: c.new === undefined ? null : JSON.stringify(c.new),
        who: e.who,
        source: e.source,
        at,
      })),
    );
    if (rows.length === 0) return;
    await insertRows(db, "beoRevisions", rows);
  }

  revisions(orgId: string, beoId: string, db: Db = this.db) {
    return db
      .selectFrom("beoRevisions")
      .selectAll()
      .where("orgId", "=", orgId)
      .where("beoId", "=", beoId)
      .orderBy("version", "desc")
      .orderBy("id")
      .execute();
  }
}
