import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { settle, startSyncKit, waitFor, weddingEvent, type SyncKit } from "../testing/sync-test-kit.ts";

// Echo snapshots of one event that wait in the queue together are merged once:
// the newest, with every delivery marked processed and every job done by it.
describe("coalescing queued Echo changes", () => {
  let kit: SyncKit;

  beforeAll(async () => {
    kit = await startSyncKit();
  });
  afterAll(async () => {
    await kit.stop();
  });

  const pendingDeliveries = async (webhookIds: Set<string>) =>
    (await kit.maestro.maestro.integration.inbox.listWebhookIds(kit.maestro.orgId)).filter(
      (r) => r.status === "pending" && !webhookIds.has(r.webhookId),
    );

  it("merges only the newest of several waiting snapshots and records one operation for them", async () => {
    const { integration } = kit.maestro.maestro;
    const created = (await kit.echo("POST", "/v1/events", weddingEvent)).body;
    const other = (await kit.echo("POST", "/v1/events", { ...weddingEvent, eventName: "Okafor Rehearsal Dinner" }))
      .body;
    for (const id of [created.id, other.id])
      await waitFor(
        `import of ${id}`,
        async () => (await kit.admin("GET", `/api/calendar/events?q=${id}`)).body.data.length === 1,
      );
    await settle(kit);
    const before = new Set(
      (await integration.inbox.listWebhookIds(kit.maestro.orgId)).map((r) => r.webhookId as string),
    );

    await integration.worker!.stop();
    for (let i = 1; i <= 5; i++) {
      const res = await kit.echo("PATCH", `/v1/events/${created.id}`, {
        eventName: `Okafor Wedding v${i}`,
        guestCount: { guaranteed: 100 + i },
      });
      expect(res.status).toBe(200);
    }
    await kit.echo("PATCH", `/v1/events/${other.id}`, { room: "Harbor Terrace" });
    await waitFor("six deliveries stored", async () => (await pendingDeliveries(before)).length === 6);
    integration.worker!.start();
    await settle(kit);

    const [cal] = (await kit.admin("GET", `/api/calendar/events?q=${created.id}`)).body.data;
    expect(cal).toMatchObject({ title: "Okafor Wedding v5", guestCount: 105 });
    const [otherCal] = (await kit.admin("GET", `/api/calendar/events?q=${other.id}`)).body.data;
    expect(otherCal.room).toBe("Harbor Terrace");

    const history = (await kit.admin("GET", `/api/echo-integration/history?echoEventId=${created.id}`)).body.data;
    const merges = history.filter((op: any) => op.direction === "echo_to_maestro" && !before.has(op.webhookId));
    expect(merges).toHaveLength(1);
    expect(merges[0]).toMatchObject({ status: "succeeded" });
    expect(merges[0].reason).toContain("newest of 5 deliveries");
    expect(merges[0].changes).toEqual(
      expect.arrayContaining([
        { field: "eventName", from: weddingEvent.eventName, to: "Okafor Wedding v5" },
        { field: "guaranteed", from: weddingEvent.guestCount.guaranteed, to: 105 },
      ]),
    );
    // Every delivery of the group is processed, and nothing is left in the queue.
    expect(await pendingDeliveries(before)).toEqual([]);
    expect(await integration.jobs.counts(kit.maestro.orgId)).toEqual({});
  });
});
