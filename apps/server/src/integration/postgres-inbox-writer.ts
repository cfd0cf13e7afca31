import { CompiledQuery } from "kysely";
import type { Db } from "../db/schema.ts";
import type { InboxRow } from "./sqlite-inbox-writer.ts";

// The inbox's group commit on PostgreSQL as one statement: the deliveries
// (ON CONFLICT (org_id, webhook_id) DO NOTHING for the duplicates) and the jobs
// of those stored, in arrival order, travel as one JSON parameter and commit
// together: one round trip and one commit per group instead of four round trips.
const WRITE_SQL = `
with rows as (
  select * from json_to_recordset($1::json) as r(
    ord int, id text, org_id text, webhook_id text, type text, echo_event_id text, payload text,
    status text, error text, received_at text, job_id text, job_key text, job_payload text, job_max int)
), stored as (
  insert into webhook_inbox (id, org_id, webhook_id, type, echo_event_id, payload, status, error, received_at, processed_at)
  select id, org_id, webhook_id, type, echo_event_id, payload, status, error, received_at, null from rows order by ord
  on conflict (org_id, webhook_id) do nothing
  returning id
), jobs as (
  insert into sync_jobs (id, org_id, kind, ordering_key, payload, status, attempts, max_attempts, run_at, created_at, updated_at)
  select job_id, org_id, 'echo_change', job_key, job_payload, 'queued', 0, job_max, received_at, received_at, received_at
  from rows where job_id is not null and id in (select id from stored) order by ord
  returning 1
)
select id from stored`;

export class PostgresInboxWriter {
  readonly available = true;

  constructor(private readonly db: Db) {}

  // Inserts the rows (duplicates skipped) and their jobs in one statement; true per stored row.
  async write(rows: InboxRow[]): Promise<boolean[]> {
    const json = JSON.stringify(
      rows.map((r, ord) => ({
        ord,
        id: r.id,
        org_id: r.orgId,
        webhook_id: r.webhookId,
        type: r.type,
        echo_event_id: r.echoEventId,
        payload: r.payload,
        status: r.status,
        error: r.error,
        received_at: r.receivedAt,
        job_id: r.job?.id ?? null,
        job_key: r.job?.orderingKey ?? null,
        job_payload: r.job?.payload ?? null,
        job_max: r.job?.maxAttempts ?? null,
      })),
    );
    const result = await this.db.executeQuery<{ id: string }>(CompiledQuery.raw(WRITE_SQL, [json]));
    const stored = new Set(result.rows.map((row) => row.id));
    return rows.map((r) => stored.has(r.id));
  }

  async stop(): Promise<void> {}
}
