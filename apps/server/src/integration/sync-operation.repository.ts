import { newId } from "@maestro/shared/ids";
import type { FieldChange, SyncOperation } from "@maestro/shared/integration.schema";
import { sql } from "kysely";
import { insertRows } from "../db/batches.ts";
import type { Db, SyncOperationsTable } from "../db/schema.ts";

export type NewOperation = Omit<SyncOperation, "id" | "startedAt" | "durationMs"> & {
  startedAt?: string;
  durationMs?: number;
  id?: string;
};

export function toSyncOperation(r: SyncOperationsTable): SyncOperation {
  return {
    id: r.id,
    direction: r.direction as SyncOperation["direction"],
    trigger: r.trigger as SyncOperation["trigger"],
    ...(r.echoEventId ? { echoEventId: r.echoEventId } : {}),
    ...(r.beoId ? { beoId: r.beoId } : {}),
    status: r.status as SyncOperation["status"],
    changes: JSON.parse(r.changes) as FieldChange[],
    ...(r.error ? { error: r.error } : {}),
    startedAt: r.startedAt,
    durationMs: r.durationMs,
    ...(r.reason ? { reason: r.reason } : {}),
    ...(r.webhookId ? { webhookId: r.webhookId } : {}),
  };
}

function toRow(orgId: string, op: NewOperation): SyncOperationsTable {
  return {
    id: op.id ?? newId("op"),
    orgId,
    direction: op.direction,
    trigger: op.trigger,
    echoEventId: op.echoEventId ?? null,
    beoId: op.beoId ?? null,
    status: op.status,
    changes: JSON.stringify(op.changes),
    error: op.error ?? null,
    reason: op.reason ?? null,
    webhookId: op.webhookId ?? null,
    startedAt: op.startedAt ?? new Date().toISOString(),
    durationMs: op.durationMs ?? 0,
  };
}

// The audit trail: every sync decision is one row.
export class SyncOperationRepository {
  constructor(private readonly db: Db) {}

  async record(orgId: string, op: NewOperation, db: Db = this.db): Promise<SyncOperation> {
    const row = toRow(orgId, op);
    await db.insertInto("syncOperations").values(row).execute();
    return toSyncOperation(row);
  }

  // Many decisions at once (a bulk import), in this order, in as few statements as
  // the parameter limits allow. Returns their ids.
  async recordMany(orgId: string, ops: readonly NewOperation[], db: Db = this.db): Promise<string[]> {
    if (ops.length === 0) return [];
    const rows = ops.map((op) => toRow(orgId, op));
    await insertRows(db, "syncOperations", rows);
    return rows.map((r) => r.id);
  }

  // Finishes an operation announced as pending (manual sync), or records it.
  async complete(orgId: string, id: string | undefined, op: NewOperation, db: Db = this.db): Promise<SyncOperation> {
    if (id) {
      const r = await db
        .updateTable("syncOperations")
        .set({
          direction: op.direction,
          status: op.status,
          changes: JSON.stringify(op.changes),
          error: op.error ?? null,
          reason: op.reason ?? null,
          durationMs: op.durationMs ?? 0,
        })
        .where("orgId", "=", orgId)
        .where("id", "=", id)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 1) {
        const row = await db.selectFrom("syncOperations").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
        return toSyncOperation(row);
      }
    }
    return this.record(orgId, { ...op, ...(id ? { id } : {}) }, db);
  }

  async list(orgId: string, filter: { limit: number; cursor?: string; status?: string; echoEventId?: string }) {
    let q = this.db.selectFrom("syncOperations").selectAll().where("orgId", "=", orgId);
    if (filter.status) q = q.where("status", "=", filter.status);
    if (filter.echoEventId) q = q.where("echoEventId", "=", filter.echoEventId);
    if (filter.cursor) q = q.where("id", "<", filter.cursor);
    const rows = await q
      .orderBy("id", "desc")
      .limit(filter.limit + 1)
      .execute();
    const page = rows.slice(0, filter.limit);
    return {
      data: page.map(toSyncOperation),
      nextCursor: rows.length > filter.limit ? page[page.length - 1]!.id : null,
    };
  }

  async countByStatus(orgId: string): Promise<Record<string, number>> {
    const rows = await this.db
      .selectFrom("syncOperations")
      .select(["status", sql<number>`count(*)`.as("n")])
      .where("orgId", "=", orgId)
      .groupBy("status")
      .execute();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }

  // For the status charts and alert rules: operations since a time.
  recent(orgId: string, sinceIso: string) {
    return this.db
      .selectFrom("syncOperations")
      .select(["status", "direction", "startedAt", "durationMs"])
      .where("orgId", "=", orgId)
      .where("startedAt", ">=", sinceIso)
      .execute();
  }

  async pruneBefore(beforeIso: string) {
    const r = await this.db.deleteFrom("syncOperations").where("startedAt", "<", beforeIso).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
