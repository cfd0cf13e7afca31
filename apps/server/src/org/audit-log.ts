import { newId } from "@maestro/shared/ids";
import type { AuthContext } from "../auth/auth-context.ts";
import type { Db } from "../db/schema.ts";

// Admin actions (configuration, API keys, conflict resolutions) with who and when. Never pruned.
export class AuditLog {
  constructor(private readonly db: Db) {}

  async record(
    ctx: Pick<AuthContext, "orgId" | "actor">,
    action: string,
    target: string | null,
    details: unknown,
    db: Db = this.db,
  ) {
    await db
      .insertInto("auditLog")
      .values({
        id: newId("aud"),
        orgId: ctx.orgId,
        actor: ctx.actor,
        action,
        target,
        details: details == null ? null : JSON.stringify(details),
        at: new Date().toISOString(),
      })
      .execute();
  }

  list(orgId: string, limit: number) {
    return this.db
      .selectFrom("auditLog")
      .selectAll()
      .where("orgId", "=", orgId)
      .orderBy("id", "desc")
      .limit(limit)
      .execute();
  }
}
