import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type DatabaseHandle } from "../db/database.ts";
import { createTestDatabase, testDbKind, type TestDatabase } from "../testing/test-database.ts";
import { JobQueue, type ClaimedJob } from "./job-queue.ts";

// The queue's claim rules, on the database the tier runs on.
describe(`job queue claims (${testDbKind})`, () => {
  let testDb: TestDatabase;
  let handle: DatabaseHandle;
  let jobs: JobQueue;

  beforeEach(async () => {
    testDb = await createTestDatabase();
    handle = await openDatabase(testDb);
    jobs = new JobQueue(handle.db, handle.dialect);
  });
  afterEach(async () => {
    await handle.close();
    await testDb.drop();
  });

  const kinds = (claimed: ClaimedJob[]) => claimed.map((j) => `${j.orgId}/${j.kind}/${j.orderingKey}`);

  it("runs one job per key at a time, oldest first, and brings the Echo snapshots queued behind a claimed one", async () => {
    await jobs.enqueue("org_a", "echo_change", "evt_1", { source: "webhook" });
    await jobs.enqueue("org_a", "echo_change", "evt_1", { source: "webhook" });
    await jobs.enqueue("org_a", "push", "evt_1", { echoEventId: "evt_1", trigger: "beo_change" });
    await jobs.enqueue("org_a", "echo_change", "evt_1", { source: "webhook" });
    await jobs.enqueue("org_b", "echo_change", "evt_1", { source: "webhook" });

    const first = await jobs.claim("w1", 8, { coalesce: 10 });
    // evt_1 of org_a: the head and the snapshot right behind it, not past the push; org_b's evt_1 is another key.
    expect(kinds(first)).toEqual(["org_a/echo_change/evt_1", "org_b/echo_change/evt_1"]);
    expect(first[0]!.followers?.map((f) => f.kind)).toEqual(["echo_change"]);
    expect(await jobs.claim("w1", 8, { coalesce: 10 })).toEqual([]);

    await jobs.completeMany([first[0]!, ...first[0]!.followers!], null);
    const second = await jobs.claim("w1", 8, { coalesce: 10 });
    expect(kinds(second)).toEqual(["org_a/push/evt_1"]);
    await jobs.complete(second[0]!, null);
    expect(kinds(await jobs.claim("w1", 8, { coalesce: 10 }))).toEqual(["org_a/echo_change/evt_1"]);
  });

  it("holds an organization's outbound jobs while its reconciliation runs, and only then", async () => {
    await jobs.enqueue("org_a", "reconcile", "reconcile", { full: true, trigger: "manual" });
    const [reconcile] = await jobs.claim("w1", 1);
    expect(reconcile?.kind).toBe("reconcile");

    await jobs.enqueue("org_a", "push", "evt_1", { echoEventId: "evt_1", trigger: "beo_change" });
    await jobs.enqueue("org_a", "maestro_webhook", "evt_2", { beoId: "beo_2", type: "beo.created", webhookId: "m" });
    await jobs.enqueue("org_a", "echo_change", "evt_3", { source: "webhook" });
    await jobs.enqueue("org_b", "push", "evt_1", { echoEventId: "evt_1", trigger: "beo_change" });

    // Inbound work of org_a and everything of org_b go on; org_a's pushes and webhooks wait.
    expect(kinds(await jobs.claim("w1", 8)).sort()).toEqual(["org_a/echo_change/evt_3", "org_b/push/evt_1"]);
    expect(await jobs.claim("w1", 8)).toEqual([]);

    await jobs.complete(reconcile!, null);
    expect(kinds(await jobs.claim("w1", 8))).toEqual(["org_a/push/evt_1", "org_a/maestro_webhook/evt_2"]);
  });

  it("holds them from the claim that takes the reconciliation, and not for one waiting to be retried", async () => {
    await jobs.enqueue("org_a", "reconcile", "reconcile", { full: true, trigger: "manual" });
    await jobs.enqueue("org_a", "push", "evt_1", { echoEventId: "evt_1", trigger: "beo_change" });
    await jobs.enqueue("org_a", "echo_change", "evt_2", { source: "webhook" });
    // One claim could take all three: the push is left for after the reconciliation.
    const first = await jobs.claim("w1", 8);
    expect(kinds(first).sort()).toEqual(["org_a/echo_change/evt_2", "org_a/reconcile/reconcile"]);
    const reconcile = first.find((j) => j.kind === "reconcile")!;

    // The reconciliation failed and waits for its retry: it holds nothing meanwhile.
    await handle.db
      .updateTable("syncJobs")
      .set({ status: "queued", lockedBy: null, lockedUntil: null, runAt: new Date(Date.now() + 60_000).toISOString() })
      .where("seq", "=", reconcile.seq)
      .execute();
    expect(kinds(await jobs.claim("w1", 8))).toEqual(["org_a/push/evt_1"]);
  });

  it("takes over a reconciliation whose worker is gone (its lease ran out), and holds the pushes for it", async () => {
    await jobs.enqueue("org_a", "reconcile", "reconcile", { full: true, trigger: "manual" });
    const [reconcile] = await jobs.claim("w1", 1);
    await handle.db
      .updateTable("syncJobs")
      .set({ lockedUntil: new Date(Date.now() - 1000).toISOString() })
      .where("seq", "=", reconcile!.seq)
      .execute();
    await jobs.enqueue("org_a", "push", "evt_1", { echoEventId: "evt_1", trigger: "beo_change" });
    const [takenOver, ...rest] = await jobs.claim("w2", 8);
    expect(rest).toEqual([]);
    expect(takenOver).toMatchObject({ kind: "reconcile", lockedBy: "w2", attempts: 2 });
    expect(await jobs.runningSince("org_a", "reconcile")).toBe(takenOver!.updatedAt);
    await jobs.complete(takenOver!, null);
    expect(await jobs.runningSince("org_a", "reconcile")).toBeNull();
    expect(kinds(await jobs.claim("w2", 8))).toEqual(["org_a/push/evt_1"]);
  });
  it("gives an attempt back when the run did not get to try, so an outage longer than the backoff parks nothing", async () => {
    await jobs.enqueue("org_a", "push", "evt_1", { echoEventId: "evt_1", trigger: "beo_change" }, undefined, {
      maxAttempts: 2,
    });
    const attempts = async () =>
      (await handle.db.selectFrom("syncJobs").select(["attempts", "status"]).executeTakeFirstOrThrow()) as {
        attempts: number;
        status: string;
      };

    // Twenty runs refused by an open circuit: the job stays queued, its attempts untouched.
    for (let i = 0; i < 20; i++) {
      const [job] = await jobs.claim("w1", 1);
      expect(job?.attempts).toBe(1);
      expect(await jobs.fail(job!, "Echo is unreachable (circuit open)", 0, { attempted: false })).toBe("retry");
      expect(await attempts()).toEqual({ attempts: 0, status: "queued" });
    }
    // Runs that reached Echo count: the second failure is the last allowed.
    const [first] = await jobs.claim("w1", 1);
    expect(await jobs.fail(first!, "502 from Echo", 0)).toBe("retry");
    const [second] = await jobs.claim("w1", 1);
    expect(second?.attempts).toBe(2);
    expect(await jobs.fail(second!, "502 from Echo", 0)).toBe("failed");
    expect(await attempts()).toEqual({ attempts: 2, status: "failed" });
  });

  it("replays the outbound jobs that used up their attempts since a given time, and only those", async () => {
    const park = async (
      kind: "push" | "maestro_webhook" | "echo_change",
      key: string,
      updatedAt: string,
      attempts = 8,
    ) => {
      await jobs.enqueue("org_a", kind, key, {});
      await handle.db
        .updateTable("syncJobs")
        .set({ status: "failed", attempts, updatedAt })
        .where("orderingKey", "=", key)
        .execute();
    };
    await park("push", "evt_old", "2026-01-01T09:00:00.000Z");
    await park("maestro_webhook", "evt_new", "2026-01-01T11:00:00.000Z");
    await park("push", "evt_mended_never", "2026-01-01T11:00:00.000Z", 1);
    await park("echo_change", "evt_inbound", "2026-01-01T11:00:00.000Z");
    await park("push", "evt_other_org", "2026-01-01T11:00:00.000Z");
    await handle.db
      .updateTable("syncJobs")
      .set({ orgId: "org_b" })
      .where("orderingKey", "=", "evt_other_org")
      .execute();

    expect(await jobs.replayExhausted("org_a", ["push", "maestro_webhook"], "2026-01-01T10:00:00.000Z")).toBe(1);
    const rows = await handle.db.selectFrom("syncJobs").select(["orderingKey", "status", "attempts"]).execute();
    expect(Object.fromEntries(rows.map((r) => [r.orderingKey, `${r.status}/${r.attempts}`]))).toEqual({
      evt_old: "failed/8",
      evt_new: "queued/0",
      evt_mended_never: "failed/1",
      evt_inbound: "failed/8",
      evt_other_org: "failed/8",
    });
  });

  it("enqueues thousands of jobs at once, past the bound-parameter limit, numbered in the order given", async () => {
    // 5,000 jobs of 15 columns: 75,000 values, more than one statement may bind on either database.
    const given = Array.from({ length: 5000 }, (_, i) => ({
      orgId: "org_a",
      kind: "maestro_webhook" as const,
      orderingKey: `evt_${(i * 7919) % 5000}`,
      payload: { n: i },
    }));
    const ids = await jobs.enqueueMany(given);
    const rows = await handle.db
      .selectFrom("syncJobs")
      .select(["id", "orderingKey", "payload"])
      .orderBy("seq")
      .execute();
    expect(rows.map((r) => r.id)).toEqual(ids);
    expect(rows.map((r) => r.orderingKey)).toEqual(given.map((g) => g.orderingKey));
    expect(rows.map((r) => JSON.parse(r.payload).n)).toEqual(given.map((_, i) => i));
  });
  // PostgreSQL plans by the table's statistics; a queue's usually say "nothing queued".
  it.runIf(testDbKind === "postgres")(
    "claims walk the open jobs in order after a burst, even with statistics from an empty queue",
    async () => {
      const pool = handle.pool!;
      // Statistics from before the burst: the table is known as empty (as a queue mostly is).
      await pool.query("analyze sync_jobs");
      // A burst the statistics do not know of yet.
      await jobs.enqueueMany(
        Array.from({ length: 3000 }, (_, i) => ({
          orgId: "org_a",
          kind: "maestro_webhook" as const,
          orderingKey: `evt_${i}`,
          payload: {},
        })),
      );

      // The statements a claim sends, in order, as it sends them.
      const sent: { text: string; values: unknown[] }[] = [];
      const original = pg.Client.prototype.query;
      const untyped = original as unknown as (this: pg.Client, ...args: unknown[]) => unknown;
      pg.Client.prototype.query = function (this: pg.Client, config: any, values?: any, callback?: any) {
        const text = typeof config === "string" ? config : config?.text;
        if (typeof text === "string") sent.push({ text, values: values ?? config?.values ?? [] });
        return untyped.call(this, config, values, callback);
      } as typeof original;
      let claimed: ClaimedJob[];
      try {
        claimed = await jobs.claim("w1", 4);
      } finally {
        pg.Client.prototype.query = original;
      }
      expect(claimed.map((j) => j.orderingKey)).toEqual(["evt_0", "evt_1", "evt_2", "evt_3"]);

      // Replayed in a transaction, the claim statement explained: no sort of every open job.
      const client = await pool.connect();
      try {
        let plan: unknown;
        for (const { text, values } of sent) {
          if (/^\s*update sync_jobs set status = 'running'/.test(text)) {
            plan = (await client.query(`explain (format json) ${text}`, values)).rows[0]["QUERY PLAN"];
          } else await client.query(text, values);
        }
        await client.query("rollback").catch(() => undefined);
        const nodes: { "Node Type": string; "Index Name"?: string }[] = [];
        const walk = (node: any) => {
          nodes.push(node);
          for (const child of node.Plans ?? []) walk(child);
        };
        walk((plan as any)[0].Plan);
        expect(nodes.map((n) => n["Node Type"])).not.toContain("Sort");
        expect(nodes.some((n) => n["Index Name"] === "sync_jobs_open")).toBe(true);
      } finally {
        client.release();
      }
    },
  );
});
