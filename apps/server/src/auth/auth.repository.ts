import type { Db } from "../db/schema.ts";

export class AuthRepository {
  constructor(private readonly db: Db) {}

  findUserByEmail(email: string) {
    return this.db.selectFrom("users").selectAll().where("email", "=", email.toLowerCase()).executeTakeFirst();
  }

  findSession(id: string, now: string) {
    return this.db
      .selectFrom("sessions")
      .innerJoin("users", "users.id", "sessions.userId")
      .select([
        "sessions.id as sessionId",
        "sessions.orgId",
        "sessions.csrfToken",
        "users.id as userId",
        "users.email",
        "users.role",
      ])
      .where("sessions.id", "=", id)
      .where("sessions.expiresAt", ">", now)
      .executeTakeFirst();
  }

  async createSession(row: {
    id: string;
    userId: string;
    orgId: string;
    csrfToken: string;
    createdAt: string;
    expiresAt: string;
  }) {
    await this.db.insertInto("sessions").values(row).execute();
  }

  async deleteSession(id: string) {
    await this.db.deleteFrom("sessions").where("id", "=", id).execute();
  }

  async deleteExpiredSessions(now: string) {
    await this.db.deleteFrom("sessions").where("expiresAt", "<=", now).execute();
  }

  findActiveApiKey(keyHash: string) {
    return this.db
      .selectFrom("apiKeys")
      .select(["id", "orgId", "name", "role"])
      .where("keyHash", "=", keyHash)
      .where("revokedAt", "is", null)
      .executeTakeFirst();
  }

  async touchApiKey(id: string, at: string) {
    await this.db.updateTable("apiKeys").set({ lastUsedAt: at }).where("id", "=", id).execute();
  }

  listApiKeys(orgId: string) {
    return this.db
      .selectFrom("apiKeys")
      .select(["id", "name", "role", "keyPrefix", "createdAt", "createdBy", "revokedAt", "lastUsedAt"])
      .where("orgId", "=", orgId)
      .orderBy("createdAt", "desc")
      .execute();
  }

  async insertApiKey(row: {
    id: string;
    orgId: string;
    name: string;
    role: string;
    keyHash: string;
    keyPrefix: string;
    createdBy: string | null;
    createdAt: string;
  }) {
    await this.db
      .insertInto("apiKeys")
      .values({ ...row, revokedAt: null, lastUsedAt: null })
      .execute();
  }

  async revokeApiKey(orgId: string, id: string, at: string): Promise<boolean> {
    const result = await this.db
      .updateTable("apiKeys")
      .set({ revokedAt: at })
      .where("orgId", "=", orgId)
      .where("id", "=", id)
      .where("revokedAt", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  findApiKeyByHash(keyHash: string) {
    return this.db
      .selectFrom("apiKeys")
      .select(["id", "orgId", "revokedAt"])
      .where("keyHash", "=", keyHash)
      .executeTakeFirst();
  }
}
