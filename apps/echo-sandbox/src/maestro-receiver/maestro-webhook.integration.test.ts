import type { MaestroWebhookPayload } from "@maestro/shared/integration.schema";
import type { BEODocument } from "@maestro/shared/maestro.schema";
import { signWebhook } from "@maestro/shared/webhook-signature";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sampleEvent, startTestSandbox, type TestSandbox, waitFor } from "../testing/sandbox-test-kit.ts";
import { startTestWebhookReceiver, type TestWebhookReceiver } from "../testing/test-webhook-receiver.ts";

// POST /api/echo-integration/webhooks/maestro: Maestro's BEO webhooks, verified
// with the secret Maestro registered its own webhook endpoint with.

const SECRET = "maestro-shared-webhook-secret";
const PATH = "/api/echo-integration/webhooks/maestro";

let t: TestSandbox;
let receiver: TestWebhookReceiver;
let eventId: string;

beforeEach(async () => {
  t = await startTestSandbox();
  receiver = await startTestWebhookReceiver(SECRET);
  await t.api("POST", "/v1/webhook-endpoints", { body: { url: receiver.url, secret: SECRET } });
  eventId = (await t.api("POST", "/v1/events", { body: sampleEvent({ eventName: "Nakamura Wedding" }) })).body.id;
});
afterEach(async () => {
  await t.close();
  await receiver.close();
});

let webhookCounter = 0;
function beo(overrides: Partial<BEODocument> = {}): BEODocument {
  return {
    id: "beo_0001",
    version: 1,
    beoNumber: 1042,
    status: "draft",
    header: { eventName: "Nakamura Wedding", clientName: "Amara Okafor" },
    event: { date: "2031-05-17", time: "18:30", room: "Grand Ballroom", guaranteed: 200 },
    menu: {
      items: [{ name: "Seared salmon", quantity: 200, dietary: ["gluten-free"] }],
      specialInstructions: "12 vegetarian meals",
    },
    setup: { specialRequests: "One nut allergy at table 4" },
    echoEventId: eventId,
    calendarEventId: "cal_1",
    createdAt: "2031-01-01T00:00:00.000Z",
    updatedAt: "2031-01-01T00:00:00.000Z",
    ...overrides,
  };
}

function payload(
  type: MaestroWebhookPayload["type"],
  doc: BEODocument,
  extra: Partial<MaestroWebhookPayload["data"]> = {},
): MaestroWebhookPayload {
  return {
    id: `mwh_${++webhookCounter}`,
    type,
    createdAt: new Date().toISOString(),
    data: { beo: doc, echoEventId: doc.echoEventId ?? eventId, ...extra },
  };
}

async function send(
  body: unknown,
  options: { secret?: string; id?: string; timestamp?: number; raw?: string; headers?: Record<string, string> } = {},
) {
  const raw = options.raw ?? JSON.stringify(body);
  const id = options.id ?? (body as { id?: string } | undefined)?.id ?? "mwh_raw";
  const headers = signWebhook(options.secret ?? SECRET, id, options.timestamp ?? Date.now() / 1000, raw);
  return t.api("POST", PATH, { rawBody: raw, key: null, headers: { ...headers, ...options.headers } });
}

describe("Maestro webhook receiver", () => {
  it("sets beoId/beoStatus on beo.created as a real change that emits event.updated", async () => {
    const response = await send(payload("beo.created", beo()));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ received: true, duplicate: false });
    const event = (await t.api("GET", `/v1/events/${eventId}`)).body;
    expect(event).toMatchObject({ beoId: "beo_0001", beoStatus: "draft", version: 2 });
    const update = await waitFor(
      () => receiver.acknowledged().find((d) => d.payload.type === "event.updated"),
      10_000,
      "event.updated",
    );
    expect(update.payload.data).toMatchObject({
      changedFields: ["beoId", "beoStatus"],
      event: { version: 2, beoId: "beo_0001" },
    });
    const notes = (await t.api("GET", "/v1/notifications")).body.data;
    expect(notes).toMatchObject([{ eventId, kind: "beo_created" }]);
    expect(notes[0].message).toContain("BEO #1042");
  });

  it("tells sales when the chef approved the BEO", async () => {
    await send(payload("beo.created", beo()));
    const approved = await send(payload("beo.approved", beo({ version: 2, status: "approved" })));
    expect(approved.status).toBe(200);
    expect((await t.api("GET", `/v1/events/${eventId}`)).body).toMatchObject({ beoStatus: "approved", version: 3 });
    const notes = (await t.api("GET", `/v1/notifications?eventId=${eventId}`)).body.data;
    expect(notes[0]).toMatchObject({
      kind: "beo_approved",
      message: 'BEO #1042 for "Nakamura Wedding" was approved by the chef.',
    });
  });

  it("applies a repeated webhook-id only once", async () => {
    const body = payload("beo.approved", beo({ status: "approved" }));
    expect((await send(body)).body).toEqual({ received: true, duplicate: false });
    expect((await send(body)).body).toEqual({ received: true, duplicate: true });
    expect((await t.api("GET", `/v1/events/${eventId}`)).body.version).toBe(2);
    expect((await t.api("GET", "/v1/notifications")).body.data).toHaveLength(1);
  });

  it("does not roll the status back for an older BEO version arriving late", async () => {
    await send(payload("beo.approved", beo({ version: 3, status: "approved" })));
    const late = await send(
      payload("beo.updated", beo({ version: 2, status: "pending_approval" }), {
        changes: [{ field: "guaranteed", from: 1, to: 2 }],
      }),
    );
    expect(late.status).toBe(200);
    expect((await t.api("GET", `/v1/events/${eventId}`)).body).toMatchObject({ beoStatus: "approved", version: 2 });
  });

  it("answers 401 for a missing or wrong signature or a stale timestamp, and changes nothing", async () => {
    const body = payload("beo.created", beo());
    expect((await t.api("POST", PATH, { body, key: null })).body.error.code).toBe("invalid_signature");
    const wrong = await send(body, { secret: "someone-elses-secret" });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe("invalid_signature");
    const stale = await send(body, { timestamp: Date.now() / 1000 - 6 * 60 });
    expect(stale.status).toBe(401);
    const future = await send(body, { timestamp: Date.now() / 1000 + 6 * 60 });
    expect(future.status).toBe(401);
    const tampered = await send(body, { headers: { "webhook-id": "mwh_other" } });
    expect(tampered.status).toBe(401);
    expect((await t.api("GET", `/v1/events/${eventId}`)).body.version).toBe(1);
  });

  it("accepts any matching signature in the header (key rotation)", async () => {
    const body = payload("beo.created", beo());
    const raw = JSON.stringify(body);
    const good = signWebhook(SECRET, body.id, Date.now() / 1000, raw);
    const bad = signWebhook("old-rotated-secret", body.id, Date.now() / 1000, raw);
    const response = await t.api("POST", PATH, {
      rawBody: raw,
      key: null,
      headers: { ...good, "webhook-signature": `${bad["webhook-signature"]} ${good["webhook-signature"]}` },
    });
    expect(response.status).toBe(200);
  });

  it("answers 413 above 1 MiB", async () => {
    const response = await send(undefined, { raw: JSON.stringify({ pad: "x".repeat(1024 * 1024) }) });
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe("payload_too_large");
  });

  it("answers 400 for a verified body that is not a valid payload", async () => {
    const notJson = await send(undefined, { raw: "{not json" });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.code).toBe("invalid_json");
    const invalid = await send({ id: "mwh_bad", type: "beo.exploded", createdAt: "now", data: {} });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.code).toBe("invalid_input");
  });

  it("answers 404 for an unknown Echo event", async () => {
    const response = await send(payload("beo.created", beo({ echoEventId: "evt_unknown" })));
    expect(response.status).toBe(404);
  });

  it("also accepts secrets configured on the sandbox when no endpoint is registered", async () => {
    await t.close();
    t = await startTestSandbox({ maestroWebhookSecrets: ["configured-maestro-secret"] });
    eventId = (await t.api("POST", "/v1/events", { body: sampleEvent() })).body.id;
    expect((await send(payload("beo.created", beo({ echoEventId: eventId })))).status).toBe(401);
    const ok = await send(payload("beo.created", beo({ echoEventId: eventId })), {
      secret: "configured-maestro-secret",
    });
    expect(ok.status).toBe(200);
  });
});
