import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signWebhook } from "@maestro/shared/webhook-signature";
import { settle, startSyncKit, waitFor, weddingEvent, WEBHOOK_SECRET, type SyncKit } from "../testing/sync-test-kit.ts";
import { testDbKind } from "../testing/test-database.ts";

// Found by the kill -9 test: when an event.deleted overtakes (or outlives) the
// update before it, the deletion's snapshot must still bring Echo's final values —
// the late update is stale by then, and reconciliation skips deleted events.
describe("an Echo deletion that arrives before the update it follows", () => {
  let kit: SyncKit;
  beforeAll(async () => {
    kit = await startSyncKit();
  });
  afterAll(async () => kit.stop());

  const deliver = async (type: string, event: unknown, id: string) => {
    const body = JSON.stringify({ id, type, createdAt: new Date().toISOString(), data: { event } });
    const headers = signWebhook(WEBHOOK_SECRET, id, Date.now() / 1000, body);
    const res = await fetch(`${kit.maestro.url}/api/echo-integration/webhooks/echo-crm?org=${kit.maestro.orgId}`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body,
    });
    expect(res.status).toBe(200);
  };
  // Echo's event is not on Maestro's calendar, and the operation `which` picks from its
  // history was skipped because of the deletion (`deletion`: the delivery that said so, if known).
  const expectKeptDeleted = async (echoId: string, which: (op: any) => boolean, deletion = "") => {
    expect((await kit.admin("GET", `/api/calendar/events?q=${echoId}`)).body.data).toEqual([]);
    const history = (await kit.admin("GET", `/api/echo-integration/history?echoEventId=${echoId}`)).body.data as any[];
    expect(history.find(which)).toMatchObject({
      status: "skipped",
      reason: expect.stringContaining(deletion ? `its deletion (${deletion})` : "its deletion"),
    });
  };
  // PostgreSQL: until a transaction waits for the advisory lock of this Echo event.
  const waitForLockWaiter = (echoId: string, what: string) =>
    waitFor(what, async () => {
      const key = `maestro:echo-event:${kit.maestro.orgId}:${echoId}`;
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from pg_locks l, (select hashtextextended(${key}, 0) as k) h
        where l.locktype = 'advisory' and not l.granted
          and l.classid = ((h.k >> 32) & 4294967295)::oid and l.objid = (h.k & 4294967295)::oid`.execute(
        kit.maestro.maestro.database.db,
      );
      return rows[0]!.n > 0 || undefined;
    });
  // Echo delivers nothing from now on (the test delivers what it needs itself).
  const dropEchoDeliveries = async () => {
    await waitFor("Echo's deliveries", async () => (await kit.echo("GET", "/_sandbox/queue")).body.pending === 0);
    await kit.echo("POST", "/_sandbox/faults", { dropRate: 1 });
  };

  it("cancels the event with Echo's final values, and the late update changes nothing", async () => {
    const created = (
      await kit.echo("POST", "/v1/events", {
        ...weddingEvent,
        eventName: "Before the rename",
        contractStatus: "signed",
      })
    ).body;
    const beoId = await waitFor(
      "BEO",
      async () => (await kit.admin("GET", `/api/beos?echoEventId=${created.id}`)).body.data[0]?.id,
    );
    await settle(kit);
    await waitFor("Echo's deliveries", async () => (await kit.echo("GET", "/_sandbox/queue")).body.pending === 0);
    // From now on Echo's own deliveries are lost; the test delivers them itself, out of order.
    await kit.echo("POST", "/_sandbox/faults", { dropRate: 1 });
    const renamed = (
      await kit.echo("PATCH", `/v1/events/${created.id}`, {
        eventName: "After the rename",
        guestCount: { guaranteed: 175 },
      })
    ).body;
    const deleted = (await kit.echo("DELETE", `/v1/events/${created.id}`)).body;
    expect(deleted.deletedAt).toBeDefined();

    await deliver("event.deleted", deleted, `msg_deleted_${created.id}`);
    await settle(kit);
    await deliver("event.updated", renamed, `msg_renamed_${created.id}`);
    await settle(kit);
    await kit.echo("POST", "/_sandbox/faults", {});

    const cal = (await kit.admin("GET", `/api/calendar/events?q=${created.id}`)).body.data[0];
    expect(cal).toMatchObject({ status: "cancelled", title: "After the rename", guestCount: 175 });
    const beo = (await kit.admin("GET", `/api/beos/${beoId}`)).body;
    expect(beo).toMatchObject({
      status: "cancelled",
      header: { eventName: "After the rename" },
      event: { guaranteed: 175 },
    });
    const history = (await kit.admin("GET", `/api/echo-integration/history?echoEventId=${created.id}`)).body
      .data as any[];
    const deletion = history.find((op) => op.webhookId === `msg_deleted_${created.id}`);
    expect(deletion.changes).toEqual(
      expect.arrayContaining([
        { field: "eventName", from: "Before the rename", to: "After the rename" },
        { field: "status", from: "confirmed", to: "cancelled" },
      ]),
    );
    expect(history.find((op) => op.webhookId === `msg_renamed_${created.id}`)).toMatchObject({ status: "skipped" });
  });

  it("does not bring back an event whose deletion overtook its creation", async () => {
    // Maestro never hears of the event from Echo itself: the test delivers creation and deletion, deletion first.
    await dropEchoDeliveries();
    const created = (await kit.echo("POST", "/v1/events", { ...weddingEvent, eventName: "Gone Before Seen" })).body;
    const deleted = (await kit.echo("DELETE", `/v1/events/${created.id}`)).body;
    await deliver("event.deleted", deleted, `msg_deleted_first_${created.id}`);
    await settle(kit);
    await deliver("event.created", created, `msg_created_late_${created.id}`);
    await settle(kit);
    await kit.echo("POST", "/_sandbox/faults", {});

    await expectKeptDeleted(created.id, (op) => op.webhookId === `msg_created_late_${created.id}`);
  });

  it("does not bring back an event whose creation is merged while a reconciliation applies its deletion", async () => {
    await dropEchoDeliveries();
    const created = (await kit.echo("POST", "/v1/events", { ...weddingEvent, eventName: "Deleted Meanwhile" })).body;
    const deleted = (await kit.echo("DELETE", `/v1/events/${created.id}`)).body;
    const { integration, database } = kit.maestro.maestro;
    const echoIntegration = await integration.requireIntegration(kit.maestro.orgId);
    // A reconciliation's transaction merges Echo's deletion of the event (which Maestro
    // never saw created) and, before it commits, Echo's late retry of the creation comes
    // in and is merged by the worker. The delivery is answered only once the
    // transaction commits on SQLite, whose single connection it holds.
    let delivery: Promise<void> | undefined;
    await database.db.transaction().execute(async (trx) => {
      const op = await integration.engine.applyEchoEvent(echoIntegration, deleted, { trigger: "schedule" }, trx);
      expect(op.status).toBe("skipped");
      delivery = deliver("event.created", created, `msg_created_meanwhile_${created.id}`);
      if (kit.maestro.db.databaseUrl) {
        // PostgreSQL: the worker's merge is waiting for this event's advisory lock.
        await waitForLockWaiter(created.id, "the worker's merge waiting for the event's lock");
      } else {
        // SQLite: the delivery is stored once this transaction lets go of the connection.
        await new Promise((r) => setTimeout(r, 200));
      }
    });
    await delivery;
    await settle(kit);
    await kit.echo("POST", "/_sandbox/faults", {});

    await expectKeptDeleted(created.id, (op) => op.webhookId === `msg_created_meanwhile_${created.id}`);
  });

  // PostgreSQL: a worker importing an Echo event holds the event's advisory lock and
  // then takes the organization's row (for a BEO number). A reconciliation whose batch
  // created a BEO earlier (the organization's row taken) and then reached that event
  // would wait for its lock: a deadlock. The batch takes its advisory locks first.
  it.runIf(testDbKind === "postgres")(
    "a reconciliation batch takes its events' locks before it creates a BEO (no deadlock with a worker)",
    async () => {
      await dropEchoDeliveries();
      const signedLater = (await kit.echo("POST", "/v1/events", { ...weddingEvent, eventName: "Signed Later" })).body;
      await deliver("event.created", signedLater, `msg_created_signed_later_${signedLater.id}`);
      await settle(kit);
      const linked = (await kit.admin("GET", `/api/calendar/events?q=${signedLater.id}`)).body.data[0];
      expect(linked.beoId ?? null).toBeNull();
      // In Echo's change order: the contract signed (a BEO to create), then an event
      // Maestro never saw, deleted. Both are in the reconciliation's first batch.
      await kit.echo("PATCH", `/v1/events/${signedLater.id}`, { contractStatus: "signed" });
      const unseen = (await kit.echo("POST", "/v1/events", { ...weddingEvent, eventName: "Never Seen" })).body;
      await kit.echo("DELETE", `/v1/events/${unseen.id}`);

      const { integration, database } = kit.maestro.maestro;
      await database.db.transaction().execute(async (worker) => {
        // A worker importing the unseen event: its lock held...
        await integration.links.lockUnlinked(kit.maestro.orgId, [unseen.id], worker);
        expect((await kit.admin("POST", "/api/echo-integration/sync", { full: true })).status).toBe(202);
        await waitForLockWaiter(unseen.id, "the reconciliation waiting for the event's lock");
        // ...then the organization's row, as a BEO number needs: the reconciliation,
        // waiting for the worker, must not hold it (NOWAIT: an error if it does).
        await sql`select id from organizations where id = ${kit.maestro.orgId} for update nowait`.execute(worker);
      });
      await settle(kit);
      await kit.echo("POST", "/_sandbox/faults", {});

      const reconciliation = (await kit.admin("GET", "/api/echo-integration/history?limit=50")).body.data.find(
        (op: any) => op.trigger === "manual" && op.direction === "echo_to_maestro" && !op.echoEventId,
      );
      expect(reconciliation).toMatchObject({ status: "succeeded" });
      expect((await kit.admin("GET", `/api/calendar/events?q=${signedLater.id}`)).body.data[0].beoId).toBeTruthy();
      expect((await kit.admin("GET", `/api/calendar/events?q=${unseen.id}`)).body.data).toEqual([]);
    },
  );

  it("does not import from a reconciliation's page an event whose deletion was merged after the page was read", async () => {
    await dropEchoDeliveries();
    const created = (await kit.echo("POST", "/v1/events", { ...weddingEvent, eventName: "Deleted After The Page" }))
      .body;
    // The deletion, delivered and merged; Echo's pages still show the event as it was
    // before (as a page read just before the deletion would).
    const deletedAt = new Date().toISOString();
    const deleted = { ...created, version: created.version + 1, updatedAt: deletedAt, deletedAt };
    await deliver("event.deleted", deleted, `msg_deleted_after_page_${created.id}`);
    await settle(kit);
    expect((await kit.admin("POST", "/api/echo-integration/sync", { full: true })).status).toBe(202);
    await settle(kit);
    await kit.echo("POST", "/_sandbox/faults", {});

    await expectKeptDeleted(created.id, (op) => op.trigger === "manual", `msg_deleted_after_page_${created.id}`);
  });

  it("does not bring back an event whose deletion only a reconciliation saw", async () => {
    // Both deliveries are lost; a reconciliation finds the event already deleted.
    await dropEchoDeliveries();
    const created = (await kit.echo("POST", "/v1/events", { ...weddingEvent, eventName: "Deleted Unseen" })).body;
    await kit.echo("DELETE", `/v1/events/${created.id}`);
    expect((await kit.admin("POST", "/api/echo-integration/sync", { full: true })).status).toBe(202);
    await settle(kit);
    // Then Echo's retry of the creation gets through.
    await deliver("event.created", created, `msg_created_retried_${created.id}`);
    await settle(kit);
    await kit.echo("POST", "/_sandbox/faults", {});

    await expectKeptDeleted(created.id, (op) => op.webhookId === `msg_created_retried_${created.id}`);
  });
});
