import type { Updateable } from "kysely";
import type { Db, IntegrationConfigsTable } from "../db/schema.ts";

export class IntegrationConfigRepository {
  constructor(private readonly db: Db) {}

  get(orgId: string, db: Db = this.db) {
    return db.selectFrom("integrationConfigs").selectAll().where("orgId", "=", orgId).executeTakeFirst();
  }

  listEnabled() {
    return this.db.selectFrom("integrationConfigs").selectAll().where("enabled", "=", 1).execute();
  }

  async upsert(row: IntegrationConfigsTable, db: Db = this.db) {
    const { orgId: _orgId, createdAt: _createdAt, ...rest } = row;
    await db
      .insertInto("integrationConfigs")
      .values(row)
      .onConflict((oc) => oc.column("orgId").doUpdateSet(rest))
      .execute();
  }

  async update(orgId: string, patch: Updateable<IntegrationConfigsTable>, db: Db = this.db) {
    await db.updateTable("integrationConfigs").set(patch).where("orgId", "=", orgId).execute();
  }
}
