import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { settle, startSyncKit, waitFor, weddingEvent, type SyncKit } from "../testing/sync-test-kit.ts";
import { ECHO_WEBHOOK_PATH, postWebhook, signedDelivery } from "../testing/security-test-helpers.ts";

let counter = 0;
const uniqueId = (label: string) => `msg_lane_${label}_${process.pid}_${counter++}`;

// Echo's deliveries are served on node:http ahead of Fastify; the Fastify route
// (used by app.inject) runs the same receiver. Both answer alike.
describe("webhook receiver fast lane", () => {
  let kit: SyncKit;
  let template: Record<string, unknown>;

  beforeAll(async () => {
    kit = await startSyncKit();
    template = (await kit.echo("POST", "/v1/events", { ...weddingEvent, eventName: "Fast Lane Template" })).body;
    await settle(kit);
  });
  afterAll(async () => kit?.stop());

  const delivery = (eventId: string) => {
    const now = new Date().toISOString();
    return signedDelivery(
      {
        id: `evt_delivery_${eventId}`,
        type: "event.created",
        createdAt: now,
        data: { event: { ...template, id: eventId, version: 1, createdAt: now, updatedAt: now } },
      },
      uniqueId(eventId),
    );
  };

  it("stores a signed delivery over HTTP and answers like the API: JSON, security headers, counted in metrics", async () => {
    // A request through Fastify first, so its security headers are known to the lane too.
    await fetch(`${kit.maestro.url}/healthz`);
    const { body, headers } = delivery("evt_lane_http");
    const res = await postWebhook(kit, body, headers);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: true, duplicate: false });
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBeTruthy();
    const again = await postWebhook(kit, body, headers);
    expect(again.body).toEqual({ received: true, duplicate: true });
    await waitFor("import", async () =>
      (await kit.admin("GET", "/api/calendar/events?q=evt_lane_http")).body.data.length === 1 ? true : undefined,
    );
    const metrics = await (await fetch(`${kit.maestro.url}/metrics`)).text();
    expect(metrics).toMatch(
      new RegExp(
        `http_requests_total\\{method="POST",route="${ECHO_WEBHOOK_PATH.replace(/\//g, "\\/")}",status="200"\\} [2-9]`,
      ),
    );
  });

  it("answers the Fastify route (app.inject) exactly as the lane answers", async () => {
    const { body, headers } = delivery("evt_lane_inject");
    const injected = await kit.maestro.maestro.app.inject({
      method: "POST",
      url: `${ECHO_WEBHOOK_PATH}?org=${encodeURIComponent(kit.maestro.orgId)}`,
      headers: { "content-type": "application/json", ...headers },
      payload: body,
    });
    expect(injected.statusCode).toBe(200);
    expect(injected.json()).toEqual({ received: true, duplicate: false });
    // The same delivery over HTTP is now a duplicate: both paths share one inbox.
    const viaLane = await postWebhook(kit, body, headers);
    expect(viaLane.body).toEqual({ received: true, duplicate: true });

    const tampered = await kit.maestro.maestro.app.inject({
      method: "POST",
      url: ECHO_WEBHOOK_PATH,
      headers: { "content-type": "application/json", ...headers },
      payload: `${body} `,
    });
    const tamperedLane = await postWebhook(kit, `${body} `, headers);
    expect(tampered.statusCode).toBe(401);
    expect(tamperedLane.status).toBe(401);
    expect(tamperedLane.body).toEqual(tampered.json());
  });

  it("leaves every other request to Fastify: other methods and paths on the receiver's prefix", async () => {
    const get = await fetch(kit.maestro.url + ECHO_WEBHOOK_PATH);
    expect(get.status).toBe(404);
    expect(((await get.json()) as { error: { code: string } }).error.code).toBe("not_found");
    const longer = await fetch(`${kit.maestro.url}${ECHO_WEBHOOK_PATH}-other`, { method: "POST", body: "{}" });
    expect([401, 404, 415]).toContain(longer.status);
    expect(longer.status).not.toBe(200);
  });
});
