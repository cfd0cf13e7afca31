import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../db/schema.ts";
import { settle, startSyncKit, waitFor, weddingEvent, type SyncKit } from "../testing/sync-test-kit.ts";
import { testDbKind } from "../testing/test-database.ts";

const P = "/api/echo-integration";

// Resolving a manual conflict while something else touches the same event: the
// resolution takes the calendar row lock first and reads the conflict under it.
describe("resolving a conflict while others write the same event", () => {
  let kit: SyncKit;
  beforeAll(async () => {
    kit = await startSyncKit({ policy: "manual" });
  });
  afterAll(async () => kit.stop());

  // A signed event whose `guaranteed` was changed on both sides (Echo 200, Maestro
  // 180, base 150) with Echo's webhook dropped: an open manual conflict.
  async function openConflict(name: string) {
    const created = await kit.echo("POST", "/v1/events", {
      ...weddingEvent,
      eventName: name,
      contractStatus: "signed",
    });
    const echoEventId = created.body.id as string;
    const beoId = await waitFor("BEO", async () => {
      const list = await kit.admin("GET", `/api/beos?echoEventId=${echoEventId}`);
      return list.body.data[0]?.id as string | undefined;
    });
    await settle(kit);
    await kit.echo("POST", "/_sandbox/faults", { dropRate: 1 });
    expect((await kit.echo("PATCH", `/v1/events/${echoEventId}`, { guestCount: { guaranteed: 200 } })).status).toBe(
      200,
    );
    expect((await kit.admin("PATCH", `/api/beos/${beoId}`, { event: { guaranteed: 180 } })).status).toBe(200);
    await settle(kit);
    await kit.echo("POST", "/_sandbox/faults", {});
    const open = (await kit.admin("GET", `${P}/conflicts?status=open`)).body.data.find(
      (c: any) => c.echoEventId === echoEventId,
    );
    expect(open.fields).toEqual([{ field: "guaranteed", baseValue: 150, echoValue: 200, maestroValue: 180 }]);
    const link = await kit.maestro.maestro.integration.links.get(kit.maestro.orgId, echoEventId);
    return { echoEventId, beoId, conflictId: open.id as string, calendarEventId: link!.calendarEventId };
  }

  // PostgreSQL: a second connection holds the event's calendar row lock until
  // `release` is called; `whileHeld` then runs in that transaction, before its commit.
  async function holdCalendarLock(calendarEventId: string) {
    const { db } = kit.maestro.maestro.database;
    let release!: (whileHeld?: (trx: Db) => Promise<void>) => void;
    const released = new Promise<((trx: Db) => Promise<void>) | undefined>((r) => (release = r));
    let pid!: number;
    let held!: () => void;
    const isHeld = new Promise<void>((r) => (held = r));
    const done = db.transaction().execute(async (trx) => {
      expect(await kit.maestro.maestro.services.calendarRepo.lock(kit.maestro.orgId, calendarEventId, trx)).toBe(true);
      pid = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx)).rows[0]!.pid;
      held();
      const whileHeld = await released;
      if (whileHeld) await whileHeld(trx);
    });
    await isHeld;
    return {
      // Resolves once `n` other connections wait for a lock this transaction holds.
      waiters: (n: number) =>
        waitFor(`${n} transaction(s) waiting for the calendar row lock`, async () => {
          // Directly, or queued behind another waiter for the same row.
          const r = await sql<{ n: number }>`
            with recursive waiting(pid) as (
              select a.pid from pg_stat_activity a where ${pid}::int = any(pg_blocking_pids(a.pid))
              union
              select a.pid from pg_stat_activity a join waiting w on w.pid = any(pg_blocking_pids(a.pid))
            )
            select count(*)::int as n from waiting
          `.execute(db);
          return r.rows[0]!.n >= n;
        }),
      release,
      done,
    };
  }

  it("two people resolving the same conflict at once: one wins, the other gets 409 and changes nothing", async () => {
    const c = await openConflict("Resolved twice at once");
    const resolve = (resolution: "echo" | "maestro") =>
      kit.admin("POST", `${P}/conflicts/${c.conflictId}/resolve`, { resolution });
    let results: Awaited<ReturnType<typeof resolve>>[];
    if (testDbKind === "postgres") {
      // Both requests start while the row is locked, so both get past any check made
      // before the lock; only one may then resolve the conflict.
      const lock = await holdCalendarLock(c.calendarEventId);
      const both = Promise.all([resolve("echo"), resolve("maestro")]);
      try {
        await lock.waiters(2);
      } finally {
        lock.release();
        await lock.done;
      }
      results = await both;
    } else {
      results = await Promise.all([resolve("echo"), resolve("maestro")]);
    }
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const winnerIndex = results.findIndex((r) => r.status === 200);
    const winner = (["echo", "maestro"] as const)[winnerIndex]!;
    const loser = results[1 - winnerIndex]!;
    expect(loser.body.error.code).toBe("conflict");
    const expected = winner === "echo" ? 200 : 180;

    const record = (await kit.admin("GET", `${P}/conflicts?status=resolved`)).body.data.find(
      (x: any) => x.id === c.conflictId,
    );
    expect(record).toMatchObject({ status: "resolved", resolution: winner });
    expect(results[winnerIndex]!.body).toMatchObject({ id: c.conflictId, status: "resolved", resolution: winner });

    const beo = (await kit.admin("GET", `/api/beos/${c.beoId}`)).body;
    expect(beo.event.guaranteed).toBe(expected);
    expect(beo.frozenFields).toEqual([]);
    const cal = await kit.maestro.maestro.services.calendarRepo.get(kit.maestro.orgId, c.calendarEventId);
    expect(cal!.guestCount).toBe(expected);
    // Only the winner's resolution is on record.
    const history = (await kit.admin("GET", `${P}/history?echoEventId=${c.echoEventId}&limit=100`)).body.data;
    expect(history.filter((o: any) => o.reason?.startsWith(`conflict ${c.conflictId} resolved`))).toHaveLength(1);

    await settle(kit);
    expect((await kit.echo("GET", `/v1/events/${c.echoEventId}`)).body.guestCount.guaranteed).toBe(expected);
    expect((await kit.admin("GET", `/api/beos/${c.beoId}`)).body.event.guaranteed).toBe(expected);
    // Both sides agree on the winner's value, and so does the base (Echo's value, or
    // Maestro's once its push landed — which may happen before any read made here).
    const link = await kit.maestro.maestro.integration.links.get(kit.maestro.orgId, c.echoEventId);
    expect(link!.base.guaranteed).toBe(expected);
  });

  // Echo changes the conflicting field again while a resolution waits for the lock:
  // "Use Echo value" must take Echo's newest value, not the one shown when it started.
  it.runIf(testDbKind === "postgres")(
    "Use Echo value takes the Echo value a merge committed while the resolution waited for the lock",
    async () => {
      const c = await openConflict("Echo changes during resolution");
      const m = kit.maestro.maestro.integration;
      const integration = await m.requireIntegration(kit.maestro.orgId);
      // Echo's next version (its webhook dropped: the merge below stands for its delivery).
      await kit.echo("POST", "/_sandbox/faults", { dropRate: 1 });
      expect((await kit.echo("PATCH", `/v1/events/${c.echoEventId}`, { guestCount: { guaranteed: 210 } })).status).toBe(
        200,
      );
      await kit.echo("POST", "/_sandbox/faults", {});
      const fresh = await integration.client.getEvent(c.echoEventId);
      expect(fresh.guestCount.guaranteed).toBe(210);

      const lock = await holdCalendarLock(c.calendarEventId);
      const resolving = kit.admin("POST", `${P}/conflicts/${c.conflictId}/resolve`, { resolution: "echo" });
      try {
        await lock.waiters(1);
      } catch (err) {
        lock.release();
        await lock.done;
        throw err;
      }
      // The webhook merge commits while the resolution waits: the conflict now shows Echo's 210.
      lock.release(async (trx) => {
        await m.engine.applyEchoEvent(integration, fresh, { trigger: "webhook" }, trx);
        const refreshed = await m.conflicts.get(kit.maestro.orgId, c.conflictId, trx);
        expect(refreshed).toMatchObject({ status: "open", fields: [{ field: "guaranteed", echoValue: 210 }] });
      });
      await lock.done;
      const resolved = await resolving;
      expect(resolved.status).toBe(200);
      expect(resolved.body).toMatchObject({
        status: "resolved",
        resolution: "echo",
        fields: [{ field: "guaranteed", echoValue: 210 }],
      });
      expect((await kit.admin("GET", `/api/beos/${c.beoId}`)).body.event.guaranteed).toBe(210);
      const link = await m.links.get(kit.maestro.orgId, c.echoEventId);
      expect(link!.base.guaranteed).toBe(210);
      expect(link!.echoVersion).toBe(fresh.version);

      await settle(kit);
      expect((await kit.echo("GET", `/v1/events/${c.echoEventId}`)).body.guestCount.guaranteed).toBe(210);
      expect((await kit.admin("GET", `/api/beos/${c.beoId}`)).body.event.guaranteed).toBe(210);
    },
  );
});
