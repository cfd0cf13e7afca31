import { newId } from "@maestro/shared/ids";
import type { DataConflict } from "@maestro/shared/integration.schema";
import type { DataConflictsTable, Db } from "../db/schema.ts";

export type ConflictField = DataConflict["fields"][number];

export function toDataConflict(r: DataConflictsTable): DataConflict {
  return {
    id: r.id,
    echoEventId: r.echoEventId,
    ...(r.beoId ? { beoId: r.beoId } : {}),
    status: r.status as DataConflict["status"],
    fields: JSON.parse(r.fields) as ConflictField[],
    detectedAt: r.detectedAt,
    ...(r.resolvedAt ? { resolvedAt: r.resolvedAt } : {}),
    ...(r.resolution ? { resolution: r.resolution } : {}),
    policy: r.policy,
  };
}

export class ConflictRepository {
  constructor(private readonly db: Db) {}

  async insert(
    orgId: string,
    c: { echoEventId: string; beoId: string | null; fields: ConflictField[]; policy: string; resolution?: string },
    db: Db = this.db,
  ) {
    const now = new Date().toISOString();
    const row: DataConflictsTable = {
      id: newId("cfl"),
      orgId,
      echoEventId: c.echoEventId,
      beoId: c.beoId,
      status: c.resolution ? "resolved" : "open",
      fields: JSON.stringify(c.fields),
      policy: c.policy,
      detectedAt: now,
      resolvedAt: c.resolution ? now : null,
      resolution: c.resolution ?? null,
      resolvedBy: c.resolution ? "policy" : null,
    };
    await db.insertInto("dataConflicts").values(row).execute();
    return toDataConflict(row);
  }

  async get(orgId: string, id: string, db: Db = this.db) {
    const row = await db
      .selectFrom("dataConflicts")
      .selectAll()
      .where("orgId", "=", orgId)
      .where("id", "=", id)
      .executeTakeFirst();
    return row && toDataConflict(row);
  }

  async openFor(orgId: string, echoEventId: string, db: Db = this.db) {
    const rows = await db
      .selectFrom("dataConflicts")
      .selectAll()
      .where("orgId", "=", orgId)
      .where("echoEventId", "=", echoEventId)
      .where("status", "=", "open")
      .execute();
    return rows.map(toDataConflict);
  }

  async openForBeo(orgId: string, beoId: string, db: Db = this.db) {
    const rows = await db
      .selectFrom("dataConflicts")
      .selectAll()
      .where("orgId", "=", orgId)
      .where("beoId", "=", beoId)
      .where("status", "=", "open")
      .execute();
    return rows.map(toDataConflict);
  }

  async list(orgId: string, status?: "open" | "resolved") {
    let q = this.db.selectFrom("dataConflicts").selectAll().where("orgId", "=", orgId);
    if (status) q = q.where("status", "=", status);
    const rows = await q.orderBy("id", "desc").limit(500).execute();
    return rows.map(toDataConflict);
  }

  async updateFields(orgId: string, id: string, fields: ConflictField[], db: Db = this.db) {
    await db
      .updateTable("dataConflicts")
      .set({ fields: JSON.stringify(fields) })
      .where("orgId", "=", orgId)
      .where("id", "=", id)
      .execute();
  }

  async resolve(orgId: string, id: string, resolution: string, by: string, db: Db = this.db) {
    const r = await db
      .updateTable("dataConflicts")
      .set({ status: "resolved", resolution, resolvedBy: by, resolvedAt: new Date().toISOString() })
      .where("orgId", "=", orgId)
      .where("id", "=", id)
      .where("status", "=", "open")
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async countOpen(orgId: string) {
    const r = await this.db
      .selectFrom("dataConflicts")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("orgId", "=", orgId)
      .where("status", "=", "open")
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  async countSince(orgId: string, sinceIso: string) {
    const r = await this.db
      .selectFrom("dataConflicts")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("orgId", "=", orgId)
      .where("detectedAt", ">=", sinceIso)
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }
}
