import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signWebhook } from "@maestro/shared/webhook-signature";
import { settle, startSyncKit, waitFor, weddingEvent, WEBHOOK_SECRET, type SyncKit } from "../testing/sync-test-kit.ts";

describe("Echo ↔ Maestro sync over HTTP", () => {
  let kit: SyncKit;
  beforeAll(async () => {
    kit = await startSyncKit();
  });
  afterAll(async () => kit.stop());

  const calendarFor = async (echoId: string) => {
    const res = await kit.admin("GET", `/api/calendar/events?q=${echoId}`);
    return res.body.data.find((e: any) => e.echoEventId === echoId);
  };

  it("follows an Echo event from creation to signature to deletion", async () => {
    const created = await kit.echo("POST", "/v1/events", weddingEvent);
    expect(created.status).toBe(201);
    const id = created.body.id;
    const imported = await waitFor("import", () => calendarFor(id));
    expect(imported).toMatchObject({
      title: weddingEvent.eventName,
      guestCount: 150,
      status: "tentative",
      source: "echo",
      clientName: "Chinwe Okafor",
      revenue: 48000,
    });
    expect(JSON.stringify(imported)).not.toContain("chinwe@example.com");

    await kit.echo("PATCH", `/v1/events/${id}`, { guestCount: { guaranteed: 165 }, room: "Harbor Terrace" });
    await waitFor("update", async () => (await calendarFor(id))?.guestCount === 165 && (await calendarFor(id)));
    expect((await calendarFor(id)).room).toBe("Harbor Terrace");

    await kit.echo("POST", `/v1/events/${id}/contract/sign`);
    const signed = await waitFor("BEO creation", async () => (await calendarFor(id))?.beoId && (await calendarFor(id)));
    expect(signed.status).toBe("confirmed");
    const beo = await kit.admin("GET", `/api/beos/${signed.beoId}`);
    expect(beo.body).toMatchObject({ echoEventId: id, event: { guaranteed: 165, room: "Harbor Terrace" } });
    expect(beo.body.setup.specialRequests).toBe(weddingEvent.specialRequests);
    await settle(kit);
    const echoAfter = await kit.echo("GET", `/v1/events/${id}`);
    expect(echoAfter.body.beoId).toBe(signed.beoId);
    expect(echoAfter.body.beoStatus).toBe("draft");

    await kit.echo("DELETE", `/v1/events/${id}`);
    await waitFor("cancellation", async () => (await calendarFor(id))?.status === "cancelled");
    const kept = await kit.admin("GET", `/api/beos/${signed.beoId}`);
    expect(kept.body.status).toBe("cancelled");
    const revisions = await kit.admin("GET", `/api/beos/${signed.beoId}/revisions`);
    expect(revisions.body.data.length).toBeGreaterThan(1);
  });

  it("creates exactly one BEO when contract.signed arrives three times at once", async () => {
    const created = await kit.echo("POST", "/v1/events", {
      ...weddingEvent,
      eventName: "Helix Labs Gala",
      contractStatus: "contract_sent",
    });
    const id = created.body.id;
    await waitFor("import", () => calendarFor(id));
    await settle(kit);
    // Echo signs, and its contract.signed reaches Maestro three more times at once (retries, duplicates).
    const signedEvent = (await kit.echo("POST", `/v1/events/${id}/contract/sign`)).body;
    expect(signedEvent.contractStatus).toBe("signed");
    const deliveries = [1, 2, 3].map((n) => {
      const body = JSON.stringify({
        id: `evt-signed-${id}-${n}`,
        type: "contract.signed",
        createdAt: new Date().toISOString(),
        data: { event: signedEvent, changedFields: ["contractStatus"] },
      });
      const headers = signWebhook(WEBHOOK_SECRET, `msg_signed_${id}_${n}`, Date.now() / 1000, body);
      return fetch(`${kit.maestro.url}/api/echo-integration/webhooks/echo-crm`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body,
      });
    });
    const statuses = (await Promise.all(deliveries)).map((r) => r.status);
    expect(statuses).toEqual([200, 200, 200]);
    await waitFor("BEO", async () => (await calendarFor(id))?.beoId);
    await settle(kit);
    const beos = await kit.admin("GET", `/api/beos?echoEventId=${id}`);
    expect(beos.body.data).toHaveLength(1);
  });

  it("sends a BEO's guaranteed count to Echo: over 100 alternating edits, one Echo version per Maestro change", async () => {
    const created = await kit.echo("POST", "/v1/events", {
      ...weddingEvent,
      eventName: "Northwind Offsite",
      contractStatus: "signed",
    });
    const id = created.body.id;
    const cal = await waitFor("BEO", async () => (await calendarFor(id))?.beoId && (await calendarFor(id)));
    await settle(kit);
    const startVersion = (await kit.echo("GET", `/v1/events/${id}`)).body.version;
    let maestroChanges = 0;
    let echoChanges = 0;
    for (let i = 1; i <= 100; i++) {
      if (i % 2 === 1) {
        const res = await kit.admin("PATCH", `/api/beos/${cal.beoId}`, { event: { guaranteed: 150 + i } });
        expect(res.status).toBe(200);
        maestroChanges++;
      } else {
        const res = await kit.echo("PATCH", `/v1/events/${id}`, { room: `Salon ${i}` });
        expect(res.status).toBe(200);
        echoChanges++;
      }
      await settle(kit);
    }
    const echoEvent = (await kit.echo("GET", `/v1/events/${id}`)).body;
    expect(echoEvent.guestCount.guaranteed).toBe(150 + 99);
    expect(echoEvent.version).toBe(startVersion + maestroChanges + echoChanges);
    // Echo's last change reaches Maestro by webhook, which may still be on its way.
    await waitFor(
      "Echo's last change",
      async () => (await kit.admin("GET", `/api/beos/${cal.beoId}`)).body.event.room === "Salon 100",
    );
    const beo = (await kit.admin("GET", `/api/beos/${cal.beoId}`)).body;
    expect(beo.event).toMatchObject({ guaranteed: 249, room: "Salon 100" });
  });

  it("exposes sync metrics, readiness and status", async () => {
    const metrics = await (await fetch(`${kit.maestro.url}/metrics`)).text();
    for (const name of [
      "maestro_sync_operations_total",
      "maestro_sync_propagation_seconds_bucket",
      "maestro_webhooks_received_total",
      "maestro_echo_api_request_seconds_bucket",
      "maestro_sync_queue_depth",
      "maestro_sync_open_conflicts",
    ]) {
      expect(metrics).toContain(name);
    }
    expect(metrics).toMatch(/maestro_sync_operations_total\{direction="echo_to_maestro",status="succeeded"\} [1-9]/);
    const ready = await (await fetch(`${kit.maestro.url}/readyz`)).json();
    expect(ready).toMatchObject({ status: "ready", database: "ok", echoCrm: "healthy" });
    const status = (await kit.admin("GET", "/api/echo-integration/status")).body;
    expect(status).toMatchObject({ enabled: true, connection: { echoCrm: "healthy" } });
    expect(status.counts.synced).toBeGreaterThan(0);
    const config = (await kit.admin("GET", "/api/echo-integration/config")).body;
    expect(config.webhookSecret).not.toContain("whsec_");
    expect(config.echoCrmApiKey).toMatch(/^•+/);
  });
});
