import { newId } from "@maestro/shared/ids";
import { sql } from "kysely";
import { insertRows } from "../db/batches.ts";
import type { DialectName } from "../db/database.ts";
import type { Selectable } from "kysely";
import type { Db, SyncJobsTable } from "../db/schema.ts";

export type JobKind = "echo_change" | "push" | "maestro_webhook" | "reconcile";
export type Job = Selectable<SyncJobsTable>;
// A claimed echo_change job may bring the echo_change jobs queued behind it on its key.
export type ClaimedJob = Job & { followers?: Job[] };

// A claimed job's lease. Its worker renews it while the job runs (every third of
// it), so it only runs out when that worker is gone (killed, crashed, cut off):
// then another worker takes the job over.
export const LEASE_MS = 15_000;
export const DEFAULT_MAX_ATTEMPTS = 8;
// What Maestro sends to Echo: changes (push) and BEO news for sales (maestro_webhook).
export const OUTBOUND_KINDS: readonly JobKind[] = ["push", "maestro_webhook"];
// What Maestro sends to Echo waits while a reconciliation of the organization runs
// (a live lease): Maestro does not write to Echo while it reads Echo's state page by
// page, and a first import's BEO announcements (two requests per signed contract)
// do not compete with the import itself. They start when it is done. A reconciliation
// that is runnable (queued, or abandoned by a dead worker and about to be taken over)
// holds them too, so that a claim never takes both at once; one waiting for its retry
// time holds nothing.
const HELD_DURING_RECONCILIATION = OUTBOUND_KINDS;
// The ordering key of an organization's reconciliations (one runs at a time).
export const RECONCILE_KEY = "reconcile";

// The durable queue behind the inbox and the outbox. Jobs that share an
// ordering key (one Echo event) run one at a time in the order they were
// enqueued; different keys run in parallel. On PostgreSQL several worker
// processes share it with FOR UPDATE SKIP LOCKED.
export class JobQueue {
  constructor(
    private readonly db: Db,
    private readonly dialect: DialectName,
  ) {}

  async enqueue(
    orgId: string,
    kind: JobKind,
    orderingKey: string,
    payload: unknown,
    db: Db = this.db,
    options: { maxAttempts?: number; runAt?: Date } = {},
  ): Promise<string> {
    const [id] = await this.enqueueMany([{ orgId, kind, orderingKey, payload }], db, options);
    return id!;
  }

  // Several jobs in one statement, in this order (seq follows the rows).
  async enqueueMany(
    jobs: readonly { orgId: string; kind: JobKind; orderingKey: string; payload: unknown }[],
    db: Db = this.db,
    options: { maxAttempts?: number; runAt?: Date } = {},
  ): Promise<string[]> {
    if (jobs.length === 0) return [];
    const now = new Date().toISOString();
    const runAt = (options.runAt ?? new Date()).toISOString();
    const rows = jobs.map((job) => ({
      id: newId("job"),
      orgId: job.orgId,
      kind: job.kind,
      orderingKey: job.orderingKey,
      payload: JSON.stringify(job.payload),
      status: "queued",
      attempts: 0,
      maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      runAt,
      lockedBy: null,
      lockedUntil: null,
      lastError: null,
      operationId: null,
      createdAt: now,
      updatedAt: now,
    }));
    // In as many statements as the parameter limits need (insertRows), in this order.
    await insertRows(db, "syncJobs", rows);
    return rows.map((r) => r.id);
  }

  // Claims up to `limit` runnable jobs, each the oldest unfinished job of its key.
  // With `coalesce`, an echo_change job comes with the echo_change jobs queued right
  // behind it on its key (up to the first job of another kind, at most `coalesce`):
  // they are Echo snapshots of the same event, and only the newest needs merging.
  async claim(workerId: string, limit: number, options: { coalesce?: number } = {}): Promise<ClaimedJob[]> {
    const now = new Date().toISOString();
    const lockedUntil = new Date(Date.now() + LEASE_MS).toISOString();
    // Walks the open jobs in seq order (partial index sync_jobs_open) and stops at
    // `limit`: the cost does not grow with the backlog or with the done jobs kept.
    // SQLite's planner prefers (status, run_at) plus a sort over every open job: told which index to use.
    const openJobs = this.dialect === "sqlite" ? sql`sync_jobs j indexed by sync_jobs_open` : sql`sync_jobs j`;
    const eligible = sql`
      select j.seq from ${openJobs}
      where j.status in ('queued', 'running')
      and ((j.status = 'queued' and j.run_at <= ${now})
          or (j.status = 'running' and j.locked_until < ${now}))
      and not exists (
        select 1 from sync_jobs k
        where k.org_id = j.org_id and k.ordering_key = j.ordering_key
          and k.status in ('queued', 'running') and k.seq < j.seq)
      and (j.kind not in (${sql.join(HELD_DURING_RECONCILIATION)}) or not exists (
        select 1 from sync_jobs r
        where r.org_id = j.org_id and r.ordering_key = ${RECONCILE_KEY} and r.status in ('queued', 'running')
          and r.kind = 'reconcile' and (r.status = 'running' or r.run_at <= ${now})))
      order by j.seq
      limit ${limit}`;
    const claimAll = async (db: Db): Promise<ClaimedJob[]> => {
      // PostgreSQL plans by the table's statistics, and those of a queue mostly say
      // "nothing queued" (the last ANALYZE saw it empty): after a burst of thousands of
      // jobs it collected every open job through (status, run_at) and sorted them all,
      // 30+ ms a claim until the next ANALYZE. Without a sort, for this statement only,
      // the one plan left reads sync_jobs_open in order and stops at the limit.
      if (this.dialect === "postgres") await sql`select set_config('enable_sort', 'off', true)`.execute(db);
      const result = await sql<Record<string, unknown>>`
        update sync_jobs set status = 'running', locked_by = ${workerId}, locked_until = ${lockedUntil},
          attempts = attempts + 1, updated_at = ${now}
        where seq in (${eligible}${this.dialect === "postgres" ? sql` for update skip locked` : sql``})
        returning *`.execute(db);
      const heads: ClaimedJob[] = result.rows.map(camel).sort((a, b) => a.seq - b.seq);
      const echoHeads = heads.filter((h) => h.kind === "echo_change");
      if (!options.coalesce || echoHeads.length === 0) return heads;
      if (this.dialect === "postgres") await sql`set local enable_sort to default`.execute(db);
      // One statement for every head: the open echo_change jobs of their keys with no
      // job of another kind before them (the head is each key's oldest open job, and running now).
      // Keys grouped by organization, so that the lookup is an index search per key
      // (sync_jobs_key), not a pass over every queued job (which SQLite chose for row values).
      const keysByOrg = new Map<string, string[]>();
      for (const h of echoHeads) keysByOrg.set(h.orgId, [...(keysByOrg.get(h.orgId) ?? []), h.orderingKey]);
      const keys = sql.join(
        [...keysByOrg].map(
          ([orgId, orderingKeys]) => sql`(f.org_id = ${orgId} and f.ordering_key in (${sql.join(orderingKeys)}))`,
        ),
        sql` or `,
      );
      const byKeyIndex = (alias: string) =>
        this.dialect === "sqlite"
          ? sql.raw(`sync_jobs ${alias} indexed by sync_jobs_key`)
          : sql.raw(`sync_jobs ${alias}`);
      const followers = await sql<Record<string, unknown>>`
        update sync_jobs set status = 'running', locked_by = ${workerId}, locked_until = ${lockedUntil},
          attempts = attempts + 1, updated_at = ${now}
        where seq in (
          select f.seq from ${byKeyIndex("f")}
          where (${keys})
            and f.status in ('queued', 'running')
            and f.kind = 'echo_change'
            and ((f.status = 'queued' and f.run_at <= ${now}) or (f.status = 'running' and f.locked_until < ${now}))
            and not exists (
              select 1 from ${byKeyIndex("b")}
              where b.org_id = f.org_id and b.ordering_key = f.ordering_key and b.kind <> 'echo_change'
                and b.status in ('queued', 'running') and b.seq < f.seq)
          order by f.seq
          limit ${options.coalesce})
        returning *`.execute(db);
      const byKey = new Map(echoHeads.map((h) => [`${h.orgId}\u0000${h.orderingKey}`, h]));
      for (const f of followers.rows.map(camel).sort((a, b) => a.seq - b.seq)) {
        const head = byKey.get(`${f.orgId}\u0000${f.orderingKey}`);
        if (head && f.seq > head.seq) (head.followers ??= []).push(f);
      }
      return heads;
    };
    return this.db.transaction().execute(claimAll);
  }

  // Work derived from durable input (a stored delivery, a queued job) need not wait
  // for its own commit to reach the disk on PostgreSQL: if the database crashes
  // first, the transaction is lost as a whole, the delivery and the job with it,
  // and the work is simply done again. (SQLite in WAL mode does not sync commits anyway.)
  async relaxDurability(trx: Db): Promise<void> {
    if (this.dialect === "postgres") await sql`set local synchronous_commit = off`.execute(trx);
  }

  // When the oldest job of this kind that a live worker runs was claimed (null: none runs).
  async runningSince(orgId: string, kind: JobKind, db: Db = this.db): Promise<string | null> {
    const row = await db
      .selectFrom("syncJobs")
      .select((eb) => eb.fn.min("updatedAt").as("since"))
      .where("orgId", "=", orgId)
      .where("status", "=", "running")
      .where("kind", "=", kind)
      .where("lockedUntil", ">=", new Date().toISOString())
      .executeTakeFirst();
    return row?.since ?? null;
  }

  // Extends the leases of the jobs this worker is still running.
  async renew(workerId: string, seqs: readonly number[]): Promise<void> {
    if (seqs.length === 0) return;
    await this.db
      .updateTable("syncJobs")
      .set({ lockedUntil: new Date(Date.now() + LEASE_MS).toISOString() })
      .where("seq", "in", [...seqs])
      .where("status", "=", "running")
      .where("lockedBy", "=", workerId)
      .execute();
  }

  // SQLite has one worker, the server's own. When it starts, a job still marked
  // running was left by a process that died (kill -9, power loss): it is runnable
  // again at once, not only when its lease runs out. (PostgreSQL's workers share
  // the queue, so there only the lease can tell a dead worker from a busy one.)
  async releaseAbandoned(): Promise<number> {
    if (this.dialect !== "sqlite") return 0;
    const r = await this.db
      .updateTable("syncJobs")
      .set({ status: "queued", lockedBy: null, lockedUntil: null, updatedAt: new Date().toISOString() })
      .where("status", "=", "running")
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  async complete(job: Job, operationId: string | null, db: Db = this.db) {
    await db
      .updateTable("syncJobs")
      .set({ status: "done", lockedBy: null, lockedUntil: null, operationId, updatedAt: new Date().toISOString() })
      .where("seq", "=", job.seq)
      .execute();
  }

  // Jobs finished together by one operation (a coalesced group): one statement.
  async completeMany(jobs: readonly Job[], operationId: string | null, db: Db = this.db) {
    if (jobs.length === 0) return;
    await db
      .updateTable("syncJobs")
      .set({ status: "done", lockedBy: null, lockedUntil: null, operationId, updatedAt: new Date().toISOString() })
      .where(
        "seq",
        "in",
        jobs.map((j) => j.seq),
      )
      .execute();
  }

  // Schedules another attempt, or parks the job as failed after its last one. A run
  // that did not get to try (`attempted: false`: Echo's circuit was open, nothing was
  // sent) gives its attempt back.
  async fail(
    job: Job,
    error: string,
    retryInMs: number | null,
    options: { attempted?: boolean } = {},
  ): Promise<"retry" | "failed"> {
    const now = new Date();
    const attempted = options.attempted ?? true;
    const final = retryInMs === null || (attempted && job.attempts >= job.maxAttempts);
    await this.db
      .updateTable("syncJobs")
      .set({
        ...(attempted ? {} : { attempts: Math.max(0, job.attempts - 1) }),
        status: final ? "failed" : "queued",
        lastError: error.slice(0, 2000),
        runAt: final ? job.runAt : new Date(now.getTime() + (retryInMs ?? 0)).toISOString(),
        lockedBy: null,
        lockedUntil: null,
        updatedAt: now.toISOString(),
      })
      .where("seq", "=", job.seq)
      .execute();
    return final ? "failed" : "retry";
  }

  // Jobs of these kinds that used up their attempts since `sinceIso` (as against an
  // Echo that was away) back in the queue, from their first attempt; those parked at
  // once for an error that another attempt cannot mend (fewer attempts than allowed)
  // stay parked, and so do those parked before.
  async replayExhausted(orgId: string, kinds: readonly JobKind[], sinceIso: string): Promise<number> {
    const now = new Date().toISOString();
    const r = await this.db
      .updateTable("syncJobs")
      .set({ status: "queued", attempts: 0, runAt: now, lastError: null, updatedAt: now })
      .where("orgId", "=", orgId)
      .where("status", "=", "failed")
      .where("kind", "in", [...kinds])
      .where((eb) => eb("attempts", ">=", eb.ref("maxAttempts")))
      .where("updatedAt", ">=", sinceIso)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  // A failed job back in the queue, from its first attempt (operator's replay).
  async replay(orgId: string, jobId: string): Promise<boolean> {
    const r = await this.db
      .updateTable("syncJobs")
      .set({
        status: "queued",
        attempts: 0,
        runAt: new Date().toISOString(),
        lastError: null,
        updatedAt: new Date().toISOString(),
      })
      .where("orgId", "=", orgId)
      .where("id", "=", jobId)
      .where("status", "=", "failed")
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async counts(orgId?: string): Promise<Record<string, number>> {
    let q = this.db
      .selectFrom("syncJobs")
      .select(["status", sql<number>`count(*)`.as("n")])
      .where("status", "in", ["queued", "running", "failed"]);
    if (orgId) q = q.where("orgId", "=", orgId);
    const rows = await q.groupBy("status").execute();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }

  listFailed(orgId: string) {
    return this.db
      .selectFrom("syncJobs")
      .select(["id", "kind", "orderingKey", "attempts", "lastError", "updatedAt"])
      .where("orgId", "=", orgId)
      .where("status", "=", "failed")
      .orderBy("seq", "desc")
      .limit(100)
      .execute();
  }

  unfinished() {
    return this.db
      .selectFrom("syncJobs")
      .select(["id", "kind", "orderingKey", "status", "attempts", "runAt", "lastError"])
      .where("status", "in", ["queued", "running"])
      .orderBy("seq")
      .limit(20)
      .execute();
  }

  async hasPending(orgId: string, orderingKey: string, db: Db = this.db): Promise<boolean> {
    const row = await db
      .selectFrom("syncJobs")
      .select("seq")
      .where("orgId", "=", orgId)
      .where("orderingKey", "=", orderingKey)
      .where("status", "in", ["queued", "running"])
      .executeTakeFirst();
    return row !== undefined;
  }

  async pruneDone(beforeIso: string) {
    const r = await this.db
      .deleteFrom("syncJobs")
      .where("status", "=", "done")
      .where("updatedAt", "<", beforeIso)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  // Which of these ordering keys have a queued or running job (hasPending for many keys at once).
  async pendingKeys(orgId: string, orderingKeys: readonly string[], db: Db = this.db): Promise<Set<string>> {
    const pending = new Set<string>();
    for (let first = 0; first < orderingKeys.length; first += PENDING_KEYS_CHUNK) {
      const rows = await db
        .selectFrom("syncJobs")
        .select("orderingKey")
        .distinct()
        .where("orgId", "=", orgId)
        .where("orderingKey", "in", orderingKeys.slice(first, first + PENDING_KEYS_CHUNK))
        .where("status", "in", ["queued", "running"])
        .execute();
      for (const r of rows) pending.add(r.orderingKey);
    }
    return pending;
  }
}

// Ordering keys per pendingKeys query: well under both databases' bound-parameter limits.
const PENDING_KEYS_CHUNK = 1000;

// Raw SQL rows come back snake_case.
function camel(row: Record<string, unknown>): Job {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = v;
  out.seq = Number(out.seq);
  return out as unknown as Job;
}
