import { newId } from "@maestro/shared/ids";
import type { Role } from "@maestro/shared/maestro.schema";
import { insertRows } from "../db/batches.ts";
import type { Db } from "../db/schema.ts";

export type Audience = Role | "all";

export class NotificationRepository {
  constructor(private readonly db: Db) {}

  async add(orgId: string, audience: Audience[], kind: string, message: string, link: string | null, db: Db = this.db) {
    const createdAt = new Date().toISOString();
    const rows = audience.map((a) => ({
      id: newId("ntf"),
      orgId,
      audience: a,
      kind,
      message,
      link,
      createdAt,
      readAt: null,
    }));
    await db.insertInto("notifications").values(rows).execute();
    return rows.map((r) => r.id);
  }

  // Several notifications at once (a bulk import), in this order: the rows add() would write for each.
  async addMany(
    orgId: string,
    items: readonly { audience: Audience[]; kind: string; message: string; link: string | null }[],
    db: Db = this.db,
  ) {
    const createdAt = new Date().toISOString();
    const rows = items.flatMap((item) =>
      item.audience.map((a) => ({
        id: newId("ntf"),
        orgId,
        audience: a,
        kind: item.kind,
        message: item.message,
        link: item.link,
        createdAt,
        readAt: null,
      })),
    );
    if (rows.length === 0) return [];
    await insertRows(db, "notifications", rows);
    return rows.map((r) => r.id);
  }

  list(orgId: string, role: Role, limit = 50) {
    return this.db
      .selectFrom("notifications")
      .select(["id", "kind", "message", "link", "createdAt", "readAt"])
      .where("orgId", "=", orgId)
      .where((eb) =>
        eb.or([
          eb("audience", "=", role),
          eb("audience", "=", "all"),
          ...(role === "admin" ? [eb("audience", "=", "ops")] : []),
        ]),
      )
      .orderBy("id", "desc")
      .limit(limit)
      .execute();
  }

  async markRead(orgId: string, id: string) {
    const r = await this.db
      .updateTable("notifications")
      .set({ readAt: new Date().toISOString() })
      .where("orgId", "=", orgId)
      .where("id", "=", id)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}
