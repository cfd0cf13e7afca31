import type { Updateable } from "kysely";
import type { Db, SyncLinksTable } from "../db/schema.ts";
import type { CanonicalField, CanonicalFields } from "./field-mapping.ts";

export type SyncLink = Omit<SyncLinksTable, "base" | "maestroChangedAt"> & {
  base: CanonicalFields;
  maestroChangedAt: Partial<Record<CanonicalField, string>>;
};

const fromRow = (row: SyncLinksTable): SyncLink => ({
  ...row,
  base: JSON.parse(row.base) as CanonicalFields,
  maestroChangedAt: JSON.parse(row.maestroChangedAt) as SyncLink["maestroChangedAt"],
});

export class SyncLinkRepository {
  constructor(private readonly db: Db) {}

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
    await db
      .insertInto("syncLinks")
      .values({ ...link, base: JSON.stringify(link.base), maestroChangedAt: JSON.stringify(link.maestroChangedAt) })
      .execute();
  }

  async update(
    orgId: string,
    echoEventId: string,
    patch: Omit<Updateable<SyncLinksTable>, "base" | "maestroChangedAt"> &
      Partial<Pick<SyncLink, "base" | "maestroChangedAt">>,
    db: Db = this.db,
  ) {
    const { base, maestroChangedAt, ...rest } = patch;
    await db
      .updateTable("syncLinks")
      .set({
        ...rest,
        ...(base ? { base: JSON.stringify(base) } : {}),
        ...(maestroChangedAt ? { maestroChangedAt: JSON.stringify(maestroChangedAt) } : {}),
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

  listActive(orgId: string, db: Db = this.db) {
    return db
      .selectFrom("syncLinks")
      .selectAll()
      .where("orgId", "=", orgId)
      .where("deleted", "=", 0)
      .execute()
      .then((rows) => rows.map(fromRow));
  }
}
