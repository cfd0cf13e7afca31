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
      .where("audience", "in", audiencesOf(role))
      .orderBy("id", "desc")
      .limit(limit)
      .execute();
  }

  // How many notifications a role sees are unread (the list shows the latest only).
  async unreadCount(orgId: string, role: Role): Promise<number> {
    const row = await this.db
      .selectFrom("notifications")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("orgId", "=", orgId)
      .where("audience", "in", audiencesOf(role))
      .where("readAt", "is", null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  // Every unread notification a role sees, read now (after a first import there can
  // be thousands). The number marked.
  async markAllRead(orgId: string, role: Role): Promise<number> {
    const r = await this.db
      .updateTable("notifications")
      .set({ readAt: new Date().toISOString() })
      .where("orgId", "=", orgId)
      .where("audience", "in", audiencesOf(role))
      .where("readAt", "is", null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
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

// Whose notifications a role sees: its own, everybody's, and an admin those of ops too.
function audiencesOf(role: Role): Audience[] {
  return role === "admin" ? [role, "all", "ops"] : [role, "all"];
}
