import { newId } from "@maestro/shared/ids";
import type { Alert } from "@maestro/shared/integration.schema";
import type { AlertsTable, Db } from "../db/schema.ts";

const toAlert = (r: AlertsTable): Alert => ({
  id: r.id,
  rule: r.rule,
  severity: r.severity as Alert["severity"],
  message: r.message,
  raisedAt: r.raisedAt,
  ...(r.resolvedAt ? { resolvedAt: r.resolvedAt } : {}),
});

export class AlertRepository {
  constructor(private readonly db: Db) {}

  // Raises an alert once: an open alert of the same rule is kept (message refreshed).
  async raise(
    orgId: string,
    rule: string,
    severity: Alert["severity"],
    message: string,
  ): Promise<{ alert: Alert; isNew: boolean }> {
    const open = await this.db
      .selectFrom("alerts")
      .selectAll()
      .where("orgId", "=", orgId)
      .where("rule", "=", rule)
      .where("resolvedAt", "is", null)
      .executeTakeFirst();
    if (open) {
      await this.db.updateTable("alerts").set({ message, severity }).where("id", "=", open.id).execute();
      return { alert: toAlert({ ...open, message, severity }), isNew: false };
    }
    const row: AlertsTable = {
      id: newId("alr"),
      orgId,
      rule,
      severity,
      message,
      raisedAt: new Date().toISOString(),
      resolvedAt: null,
    };
    await this.db.insertInto("alerts").values(row).execute();
    return { alert: toAlert(row), isNew: true };
  }

  async resolve(orgId: string, rule: string): Promise<boolean> {
    const r = await this.db
      .updateTable("alerts")
      .set({ resolvedAt: new Date().toISOString() })
      .where("orgId", "=", orgId)
      .where("rule", "=", rule)
      .where("resolvedAt", "is", null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async open(orgId: string): Promise<Alert[]> {
    const rows = await this.db
      .selectFrom("alerts")
      .selectAll()
      .where("orgId", "=", orgId)
      .where("resolvedAt", "is", null)
      .orderBy("raisedAt", "desc")
      .execute();
    return rows.map(toAlert);
  }
}
