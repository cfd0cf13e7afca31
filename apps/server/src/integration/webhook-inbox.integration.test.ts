import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { openDatabase, type DatabaseHandle } from "../db/database.ts";
import { createTestDatabase, testDbKind, type TestDatabase } from "../testing/test-database.ts";
import { JobQueue } from "./job-queue.ts";
import { PostgresInboxWriter } from "./postgres-inbox-writer.ts";
import { SqliteInboxWriter } from "./sqlite-inbox-writer.ts";
import { WebhookInbox, type InboxItem } from "./webhook-inbox.ts";

// The inbox's group commit, as the receiver uses it: on SQLite through the thread
// with its own connection (SqliteInboxWriter), on PostgreSQL as one statement (PostgresInboxWriter).
describe(`webhook inbox group commit (${testDbKind})`, () => {
  let testDb: TestDatabase;
  let handle: DatabaseHandle;
  let writer: SqliteInboxWriter | PostgresInboxWriter;
  let inbox: WebhookInbox;
  let committed = 0;

  beforeEach(async () => {
    testDb = await createTestDatabase();
    handle = await openDatabase(testDb);
    writer = handle.sqliteFile
      ? new SqliteInboxWriter(handle.sqliteFile, handle.db)
      : new PostgresInboxWriter(handle.db);
    committed = 0;
    inbox = new WebhookInbox(handle.db, new JobQueue(handle.db, handle.dialect), 256, () => committed++, writer);
  });
  afterEach(async () => {
    await inbox.close();
    await handle.close();
    await testDb.drop();
  });

  const delivery = (n: number, extra: Partial<InboxItem> = {}): InboxItem => ({
    orgId: "org_inbox",
    webhookId: `msg_${n}`,
    type: "event.updated",
    echoEventId: `evt_${n % 7}`,
    payload: JSON.stringify({ id: `msg_${n}`, n }),
    ...extra,
  });
  const rows = () =>
    handle.db.selectFrom("webhookInbox").selectAll().where("orgId", "=", "org_inbox").orderBy("webhookId").execute();
  const jobs = () =>
    handle.db.selectFrom("syncJobs").selectAll().where("orgId", "=", "org_inbox").orderBy("seq").execute();

  it("stores each webhook-id once, reports repeats as duplicates and enqueues one job per stored delivery, in arrival order", async () => {
    // 300 deliveries at once (more than one group of 256), with repeats inside the
    // same group and across groups, and one verified but invalid body.
    const items: InboxItem[] = [];
    for (let n = 0; n < 300; n++) items.push(delivery(n));
    items.push(delivery(5), delivery(299));
    items.push(delivery(1000, { type: "invalid", echoEventId: null, rejected: "invalid payload" }));
    const duplicates = await Promise.all(items.map((item) => inbox.store(item)));

    expect(duplicates.slice(0, 300).every((d) => d === false)).toBe(true);
    expect(duplicates.slice(300, 302)).toEqual([true, true]);
    expect(duplicates[302]).toBe(false);
    const stored = await rows();
    expect(stored).toHaveLength(301);
    expect(stored.find((r) => r.webhookId === "msg_1000")).toMatchObject({
      status: "rejected",
      error: "invalid payload",
    });
    expect(stored.filter((r) => r.status === "pending")).toHaveLength(300);

    const queued = await jobs();
    // No job for the rejected body; the jobs follow the order the deliveries arrived in.
    expect(queued).toHaveLength(300);
    expect(queued.map((j) => JSON.parse(j.payload).webhookId)).toEqual(items.slice(0, 300).map((i) => i.webhookId));
    expect(queued.every((j) => j.kind === "echo_change" && j.status === "queued")).toBe(true);
    expect(queued.map((j) => j.orderingKey)).toEqual(items.slice(0, 300).map((i) => i.echoEventId));
    expect(committed).toBeGreaterThanOrEqual(2);

    // Echo sending them again later: all duplicates, nothing new stored or enqueued.
    const again = await Promise.all(items.slice(0, 50).map((item) => inbox.store(item)));
    expect(again.every((d) => d === true)).toBe(true);
    expect(await rows()).toHaveLength(301);
    expect(await jobs()).toHaveLength(300);
  });

  it.runIf(testDbKind === "sqlite")(
    "writes only while the main connection is free: a delivery waits for an open transaction, without SQLITE_BUSY",
    async () => {
      const order: string[] = [];
      let stored: Promise<boolean> | undefined;
      await handle.db.transaction().execute(async (trx) => {
        await sql`insert into sync_jobs (id, org_id, kind, ordering_key, payload, status, attempts, max_attempts, run_at, created_at, updated_at)
          values ('job_main', 'org_inbox', 'push', 'evt_main', '{}', 'done', 0, 1, '2026-01-01', '2026-01-01', '2026-01-01')`.execute(
          trx,
        );
        stored = inbox.store(delivery(1)).then((d) => {
          order.push("delivery stored");
          return d;
        });
        // Long enough for the thread to have committed, had it not waited.
        await new Promise((resolve) => setTimeout(resolve, 100));
        order.push("transaction done");
      });
      expect(await stored).toBe(false);
      expect(order).toEqual(["transaction done", "delivery stored"]);
      expect(await rows()).toHaveLength(1);
    },
  );

  it.runIf(testDbKind === "sqlite")(
    "never makes the main connection's read-then-write transactions fail while deliveries pour in",
    async () => {
      await sql`insert into sync_jobs (id, org_id, kind, ordering_key, payload, status, attempts, max_attempts, run_at, created_at, updated_at)
        values ('job_counter', 'org_inbox', 'push', 'evt_counter', '{}', 'done', 0, 1, '2026-01-01', '2026-01-01', '2026-01-01')`.execute(
        handle.db,
      );
      const deliveries: Promise<boolean>[] = [];
      const transactions: Promise<void>[] = [];
      for (let n = 0; n < 3000; n++) {
        deliveries.push(inbox.store(delivery(n)));
        if (n % 10 === 0) {
          // As a merge does: read, then write what was read, in one transaction.
          transactions.push(
            handle.db.transaction().execute(async (trx) => {
              const row = await trx
                .selectFrom("syncJobs")
                .select("attempts")
                .where("id", "=", "job_counter")
                .executeTakeFirstOrThrow();
              await new Promise((resolve) => setImmediate(resolve));
              await trx
                .updateTable("syncJobs")
                .set({ attempts: row.attempts + 1 })
                .where("id", "=", "job_counter")
                .execute();
            }),
          );
        }
        if (n % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      await Promise.all([...deliveries, ...transactions]);
      const counter = await handle.db
        .selectFrom("syncJobs")
        .select("attempts")
        .where("id", "=", "job_counter")
        .executeTakeFirstOrThrow();
      expect(counter.attempts).toBe(300);
      expect(await rows()).toHaveLength(3000);
    },
  );

  const jobsOf = async (webhookId: string) =>
    (await jobs()).filter((j) => JSON.parse(j.payload).webhookId === webhookId);
  const thread = () => (writer as unknown as { worker: { terminate(): Promise<number> } }).worker;

  it.runIf(testDbKind === "sqlite")(
    "writes on the main connection once the thread is gone, the group in flight included (stored once, one job)",
    async () => {
      expect(await inbox.store(delivery(1))).toBe(false);
      const inFlight = inbox.store(delivery(2));
      await thread().terminate();
      // Stored by the thread before it went, or written again on the main connection: either way acknowledged as new once.
      expect(await inFlight).toBe(false);
      expect(writer.available).toBe(false);
      expect((await rows()).filter((r) => r.webhookId === "msg_2")).toHaveLength(1);
      expect(await jobsOf("msg_2")).toHaveLength(1);

      expect(await inbox.store(delivery(3))).toBe(false);
      expect(await inbox.store(delivery(3))).toBe(true);
      expect(await jobsOf("msg_3")).toHaveLength(1);
      // Those commits synced to disk as the thread's do; the main connection's other
      // commits are back to synchronous = NORMAL (1).
      const { rows: setting } = await sql<{ synchronous: number }>`pragma synchronous`.execute(handle.db);
      expect(setting).toEqual([{ synchronous: 1 }]);
    },
  );

  it.runIf(testDbKind === "sqlite")(
    "does not hang when the thread goes while a group waits for the main connection",
    async () => {
      expect(await inbox.store(delivery(1))).toBe(false);
      let waiting: Promise<boolean> | undefined;
      await handle.db.transaction().execute(async (trx) => {
        await trx.selectFrom("syncJobs").select("seq").limit(1).execute();
        waiting = inbox.store(delivery(2));
        await new Promise((resolve) => setTimeout(resolve, 20));
        await thread().terminate();
        await new Promise((resolve) => setTimeout(resolve, 20));
      });
      expect(await waiting).toBe(false);
      expect(await jobsOf("msg_2")).toHaveLength(1);
      // The connection is free again.
      expect(await handle.db.selectFrom("webhookInbox").select("id").execute()).toHaveLength(2);
    },
  );
});
