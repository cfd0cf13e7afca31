import { newId } from "@maestro/shared/ids";
import type { Role } from "@maestro/shared/maestro.schema";
import type { Db } from "../db/schema.ts";

export class OrganizationRepository {
  constructor(private readonly db: Db) {}

  findById(id: string) {
    return this.db.selectFrom("organizations").selectAll().where("id", "=", id).executeTakeFirst();
  }

  findBySlug(slug: string) {
    return this.db.selectFrom("organizations").selectAll().where("slug", "=", slug).executeTakeFirst();
  }

  async ensure(slug: string, name: string) {
    const existing = await this.findBySlug(slug);
    if (existing) return existing;
    const row = { id: newId("org"), slug, name, beoSeq: 1000, createdAt: new Date().toISOString() };
    await this.db
      .insertInto("organizations")
      .values(row)
      .onConflict((oc) => oc.column("slug").doNothing())
      .execute();
    return (await this.findBySlug(slug))!;
  }

  findUser(orgId: string, userId: string) {
    return this.db
      .selectFrom("users")
      .select(["id", "email", "name", "role"])
      .where("orgId", "=", orgId)
      .where("id", "=", userId)
      .executeTakeFirst();
  }

  async ensureUser(orgId: string, user: { email: string; name: string; role: Role; passwordHash: string }) {
    await this.db
      .insertInto("users")
      .values({
        id: newId("usr"),
        orgId,
        ...user,
        email: user.email.toLowerCase(),
        createdAt: new Date().toISOString(),
      })
      .onConflict((oc) => oc.column("email").doNothing())
      .execute();
  }

  // Next BEO number of the organization, atomically.
  async nextBeoNumber(db: Db, orgId: string): Promise<number> {
    const row = await db
      .updateTable("organizations")
      .set((eb) => ({ beoSeq: eb("beoSeq", "+", 1) }))
      .where("id", "=", orgId)
      .returning("beoSeq")
      .executeTakeFirstOrThrow();
    return row.beoSeq;
  }

  // `count` consecutive BEO numbers in one statement: the first of them (the
  // numbers nextBeoNumber would have given, one call after another).
  async reserveBeoNumbers(db: Db, orgId: string, count: number): Promise<number> {
    const row = await db
      .updateTable("organizations")
      .set((eb) => ({ beoSeq: eb("beoSeq", "+", count) }))
      .where("id", "=", orgId)
      .returning("beoSeq")
      .executeTakeFirstOrThrow();
    return row.beoSeq - count + 1;
  }
}
