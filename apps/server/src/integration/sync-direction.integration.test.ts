import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signWebhook } from "@maestro/shared/webhook-signature";
import { createSignedEchoEvent } from "../testing/security-test-helpers.ts";
import { apiClient } from "../testing/test-server.ts";
import { settle, startSyncKit, waitFor, weddingEvent, WEBHOOK_SECRET, type SyncKit } from "../testing/sync-test-kit.ts";

describe("one-way directions and stale deliveries", () => {
  let kit: SyncKit;
  beforeAll(async () => {
    kit = await startSyncKit();
  });
  afterAll(async () => kit.stop());

  const beoFor = (id: string) =>
    waitFor("BEO", async () => (await kit.admin("GET", `/api/beos?echoEventId=${id}`)).body.data[0] as any);

  it("records a stale, reordered delivery as skipped and changes nothing", async () => {
    const created = (
      await kit.echo("POST", "/v1/events", { ...weddingEvent, eventName: "Stale check", contractStatus: "signed" })
    ).body;
    const beo = await beoFor(created.id);
    await kit.echo("PATCH", `/v1/events/${created.id}`, { guestCount: { guaranteed: 170 } });
    await waitFor("update", async () => (await kit.admin("GET", `/api/beos/${beo.id}`)).body.event.guaranteed === 170);
    await settle(kit);
    // The original version arrives late, as a new delivery.
    const body = JSON.stringify({
      id: "late-1",
      type: "event.updated",
      createdAt: new Date().toISOString(),
      data: { event: created },
    });
    const headers = signWebhook(WEBHOOK_SECRET, `msg_late_${created.id}`, Date.now() / 1000, body);
    const res = await fetch(`${kit.maestro.url}/api/echo-integration/webhooks/echo-crm`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body,
    });
    expect(res.status).toBe(200);
    await settle(kit);
    expect((await kit.admin("GET", `/api/beos/${beo.id}`)).body.event.guaranteed).toBe(170);
    const history = (await kit.admin("GET", `/api/echo-integration/history?echoEventId=${created.id}&limit=100`)).body
      .data;
    const late = history.find((o: any) => o.webhookId === `msg_late_${created.id}`);
    expect(late).toMatchObject({ status: "skipped", direction: "echo_to_maestro" });
    expect(late.reason).toMatch(/stale/);
  });

  it("echo_to_maestro never writes to Echo", async () => {
    expect(
      (await kit.admin("PATCH", "/api/echo-integration/config", { syncDirection: "echo_to_maestro" })).status,
    ).toBe(200);
    const created = (
      await kit.echo("POST", "/v1/events", { ...weddingEvent, eventName: "One way in", contractStatus: "signed" })
    ).body;
    const beo = await beoFor(created.id);
    await settle(kit);
    const before = (await kit.echo("GET", `/v1/events/${created.id}`)).body;
    expect((await kit.admin("PATCH", `/api/beos/${beo.id}`, { event: { guaranteed: 99 } })).status).toBe(200);
    await settle(kit);
    await kit.admin("POST", "/api/echo-integration/sync", { full: true });
    await settle(kit);
    const after = (await kit.echo("GET", `/v1/events/${created.id}`)).body;
    expect(after.version).toBe(before.version);
    expect(after.guestCount.guaranteed).toBe(150);
    // Echo still flows in.
    await kit.echo("PATCH", `/v1/events/${created.id}`, { room: "Library" });
    await waitFor("room", async () => (await kit.admin("GET", `/api/beos/${beo.id}`)).body.event.room === "Library");
  });

  it("maestro_to_echo records Echo's changes as skipped and still pushes Maestro's", async () => {
    expect((await kit.admin("PATCH", "/api/echo-integration/config", { syncDirection: "bidirectional" })).status).toBe(
      200,
    );
    const created = (
      await kit.echo("POST", "/v1/events", { ...weddingEvent, eventName: "One way out", contractStatus: "signed" })
    ).body;
    const beo = await beoFor(created.id);
    await settle(kit);
    expect(
      (await kit.admin("PATCH", "/api/echo-integration/config", { syncDirection: "maestro_to_echo" })).status,
    ).toBe(200);
    await kit.echo("PATCH", `/v1/events/${created.id}`, { eventName: "Renamed by sales" });
    await waitFor("skipped op", async () => {
      const h = (await kit.admin("GET", `/api/echo-integration/history?echoEventId=${created.id}&limit=50`)).body.data;
      return h.some((o: any) => o.status === "skipped" && /maestro_to_echo/.test(o.reason ?? ""));
    });
    expect((await kit.admin("GET", `/api/beos/${beo.id}`)).body.header.eventName).toBe("One way out");
    expect((await kit.admin("PATCH", `/api/beos/${beo.id}`, { event: { guaranteed: 77 } })).status).toBe(200);
    await settle(kit);
    expect((await kit.echo("GET", `/v1/events/${created.id}`)).body.guestCount.guaranteed).toBe(77);
    await kit.admin("PATCH", "/api/echo-integration/config", { syncDirection: "bidirectional" });
  });

  it("can be disabled and re-enabled, catching up on what it missed", async () => {
    expect((await kit.admin("PATCH", "/api/echo-integration/config", { enabled: false })).status).toBe(200);
    const status = (await kit.admin("GET", "/api/echo-integration/status")).body;
    expect(status.enabled).toBe(false);
    const created = (await kit.echo("POST", "/v1/events", { ...weddingEvent, eventName: "While disabled" })).body;
    // Deliveries are refused while disabled (no integration accepts them) and retried by Echo.
    await new Promise((r) => setTimeout(r, 300));
    expect((await kit.admin("GET", `/api/calendar/events?q=${created.id}`)).body.data).toEqual([]);
    expect((await kit.admin("PATCH", "/api/echo-integration/config", { enabled: true })).status).toBe(200);
    await waitFor(
      "catch-up",
      async () => (await kit.admin("GET", `/api/calendar/events?q=${created.id}`)).body.data.length === 1,
    );
  });

  it("tells Echo of a BEO approved while the integration was off, once it is back", async () => {
    const created = await createSignedEchoEvent(kit, { eventName: "Approved while off" });
    await settle(kit);
    expect((await kit.admin("PATCH", "/api/echo-integration/config", { enabled: false })).status).toBe(200);
    const chef = apiClient(kit.maestro.url, kit.maestro.keys.chef);
    expect((await chef("POST", `/api/beos/${created.beoId}/approve`)).status).toBe(200);
    await settle(kit);
    expect((await kit.echo("GET", `/v1/events/${created.echoId}`)).body.beoStatus).not.toBe("approved");
    // Only the BEO changed: the catch-up finds it by the BEO Echo was last told of.
    expect((await kit.admin("PATCH", "/api/echo-integration/config", { enabled: true })).status).toBe(200);
    await waitFor(
      "the approval in Echo",
      async () => (await kit.echo("GET", `/v1/events/${created.echoId}`)).body.beoStatus === "approved",
    );
  });
});
