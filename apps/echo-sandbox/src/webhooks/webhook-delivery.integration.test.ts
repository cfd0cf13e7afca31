import { echoWebhookPayloadSchema } from "@maestro/shared/integration.schema";
import { afterEach, describe, expect, it } from "vitest";
import type { EchoSandboxOptions } from "../sandbox-server.ts";
import { sampleEvent, startTestSandbox, type TestSandbox, waitFor } from "../testing/sandbox-test-kit.ts";
import { startTestWebhookReceiver, type TestWebhookReceiver } from "../testing/test-webhook-receiver.ts";

// Webhook delivery (CONTRACT §6) to a real receiver that verifies every request
// with the Standard Webhooks algorithm.

const SECRET = "whsec_dGVzdC1zZWNyZXQtZm9yLWVjaG8tc2FuZGJveA==";

let t: TestSandbox | undefined;
let receivers: TestWebhookReceiver[] = [];

afterEach(async () => {
  await t?.close();
  t = undefined;
  await Promise.all(receivers.map((r) => r.close()));
  receivers = [];
});

async function setup(options: Partial<EchoSandboxOptions> = {}) {
  t = await startTestSandbox(options);
  const receiver = await startTestWebhookReceiver(SECRET);
  receivers.push(receiver);
  const registered = await t.api("POST", "/v1/webhook-endpoints", { body: { url: receiver.url, secret: SECRET } });
  expect(registered.status).toBe(201);
  return { api: t.api, receiver, endpointId: registered.body.id as string };
}

async function createEvent(api: TestSandbox["api"]) {
  const response = await api("POST", "/v1/events", { body: sampleEvent() });
  expect(response.status).toBe(201);
  return response.body as { id: string; version: number };
}

const queueIsIdle = async (api: TestSandbox["api"]) => {
  type QueueCounts = { pending: number; succeeded: number; dropped: number; failed: number; cancelled: number };
  const queue = (await api("GET", "/_sandbox/queue")).body as QueueCounts;
  return queue.pending === 0 ? queue : undefined;
};

describe("webhook delivery", () => {
  it("delivers signed event.created, event.updated, contract.signed and event.deleted in order with previous values", async () => {
    const { api, receiver } = await setup();
    const event = await createEvent(api);
    await api("PATCH", `/v1/events/${event.id}`, {
      body: { guestCount: { guaranteed: 185 }, room: "Crystal Ballroom" },
    });
    await api("POST", `/v1/events/${event.id}/contract/sign`);
    await api("DELETE", `/v1/events/${event.id}`);
    await waitFor(() => receiver.acknowledged().length >= 4, 10_000, "four deliveries");

    const payloads = receiver.deliveries.map((d) => echoWebhookPayloadSchema.parse(d.payload));
    expect(receiver.deliveries.every((d) => d.verified)).toBe(true);
    expect(payloads.map((p) => [p.type, p.data.event.version])).toEqual([
      ["event.created", 1],
      ["event.updated", 2],
      ["contract.signed", 3],
      ["event.deleted", 4],
    ]);
    expect(payloads[1]?.data).toMatchObject({
      changedFields: ["room", "guestCount"],
      previous: { room: "Grand Ballroom", guestCount: { expected: 220, guaranteed: 200 } },
      event: { room: "Crystal Ballroom", guestCount: { expected: 220, guaranteed: 185 } },
    });
    expect(payloads[2]?.data).toMatchObject({
      changedFields: ["contractStatus"],
      previous: { contractStatus: "tentative" },
    });
    expect(payloads[3]?.data.event.deletedAt).toBeDefined();
    expect(new Set(receiver.deliveries.map((d) => d.webhookId)).size).toBe(4);
    for (const d of receiver.deliveries) expect(d.payload.id).toBe(d.webhookId);

    const log = (await api("GET", "/_sandbox/deliveries")).body.data as { webhookId: string; eventVersion: number }[];
    expect(log.map((l) => [l.webhookId, l.eventVersion])).toEqual(
      receiver.deliveries.map((d) => [d.webhookId, d.payload.data.event.version]),
    );
  });

  it("retries after 500s with growing delays, keeping the same webhook-id", async () => {
    const { api, receiver } = await setup({ retryScheduleMs: [100, 400, 1600] });
    receiver.setResponder((d) => ({ status: d.attempt <= 3 ? 500 : 200 }));
    await createEvent(api);
    await waitFor(() => receiver.acknowledged().length === 1, 10_000, "the delivery to succeed");
    const attempts = receiver.deliveries;
    expect(attempts).toHaveLength(4);
    expect(new Set(attempts.map((a) => a.webhookId)).size).toBe(1);
    const gaps = attempts.slice(1).map((a, i) => a.receivedAtMs - (attempts[i]?.receivedAtMs ?? 0));
    expect(gaps[0]).toBeGreaterThanOrEqual(100);
    expect(gaps[1]).toBeGreaterThan(gaps[0] ?? 0);
    expect(gaps[2]).toBeGreaterThan(gaps[1] ?? 0);
    const log = (await api("GET", "/_sandbox/deliveries")).body.data;
    expect(log).toMatchObject([{ attempt: 4, statusCode: 200 }]);
  });

  it("honours Retry-After on 429", async () => {
    const { api, receiver } = await setup({ retryScheduleMs: [50, 50, 50] });
    receiver.setResponder((d) =>
      d.attempt === 1 ? { status: 429, headers: { "retry-after": "1" } } : { status: 200 },
    );
    await createEvent(api);
    await waitFor(() => receiver.acknowledged().length === 1, 10_000, "the delivery to succeed");
    const [first, second] = receiver.deliveries;
    expect((second?.receivedAtMs ?? 0) - (first?.receivedAtMs ?? 0)).toBeGreaterThanOrEqual(1000);
  });

  it("parks a delivery as failed after its last attempt", async () => {
    const { api, receiver } = await setup({ retryScheduleMs: [20, 20] });
    receiver.setResponder(() => ({ status: 503 }));
    await createEvent(api);
    const queue = await waitFor(() => queueIsIdle(api), 10_000, "the queue to settle");
    expect(queue).toMatchObject({ failed: 1, succeeded: 0 });
    expect(receiver.deliveries).toHaveLength(3);
    expect((await api("GET", "/_sandbox/deliveries")).body.data).toEqual([]);
  });

  it("disables an endpoint that answers 410 and delivers again after it re-registers", async () => {
    const { api, receiver, endpointId } = await setup();
    receiver.setResponder(() => ({ status: 410 }));
    await createEvent(api);
    await waitFor(
      async () => {
        const list = (await api("GET", "/v1/webhook-endpoints")).body.data as { id: string; status: string }[];
        return list.find((e) => e.id === endpointId && e.status === "disabled");
      },
      10_000,
      "the endpoint to be disabled",
    );
    await createEvent(api);
    expect(await waitFor(() => queueIsIdle(api))).toMatchObject({ pending: 0, cancelled: 1 });
    expect(receiver.deliveries).toHaveLength(1);

    receiver.setResponder(() => ({ status: 200 }));
    const again = await api("POST", "/v1/webhook-endpoints", { body: { url: receiver.url, secret: SECRET } });
    expect(again.body).toMatchObject({ id: endpointId, status: "active" });
    const third = await createEvent(api);
    await waitFor(
      () => receiver.acknowledged().find((d) => d.payload.data.event.id === third.id),
      10_000,
      "delivery after re-registering",
    );
  });

  it("does not follow redirects", async () => {
    const { api, receiver } = await setup({ retryScheduleMs: [30, 30] });
    const elsewhere = await startTestWebhookReceiver(SECRET);
    receivers.push(elsewhere);
    receiver.setResponder((d) =>
      d.attempt === 1 ? { status: 307, headers: { location: elsewhere.url } } : { status: 200 },
    );
    await createEvent(api);
    await waitFor(() => receiver.acknowledged().length === 1, 10_000, "the retry to succeed");
    expect(receiver.deliveries).toHaveLength(2);
    expect(elsewhere.deliveries).toHaveLength(0);
  });

  it("times out a receiver that does not answer and retries", async () => {
    const { api, receiver } = await setup({ retryScheduleMs: [30, 30], deliveryTimeoutMs: 300 });
    receiver.setResponder((d) => (d.attempt === 1 ? { status: 200, delayMs: 3_000 } : { status: 200 }));
    await createEvent(api);
    await waitFor(
      async () => (await api("GET", "/_sandbox/deliveries")).body.data.length === 1,
      10_000,
      "an acknowledged retry",
    );
    expect((await api("GET", "/_sandbox/deliveries")).body.data).toMatchObject([{ attempt: 2 }]);
  });

  it("duplicates deliveries while the duplicate fault is on", async () => {
    const { api, receiver } = await setup();
    await api("POST", "/_sandbox/faults", { body: { duplicateRate: 0.5 } });
    for (let i = 0; i < 20; i++) await createEvent(api);
    await waitFor(() => queueIsIdle(api));
    expect(receiver.deliveries.every((d) => d.verified)).toBe(true);
    const ids = receiver.deliveries.map((d) => d.webhookId);
    expect(new Set(ids).size).toBe(20);
    expect(ids.length).toBeGreaterThan(20);
    const log = (await api("GET", "/_sandbox/deliveries")).body.data;
    expect(log).toHaveLength(ids.length);
  });

  it("drops deliveries while the drop fault is on: counted as sent, never acknowledged", async () => {
    const { api, receiver } = await setup();
    await api("POST", "/_sandbox/faults", { body: { dropRate: 0.5 } });
    for (let i = 0; i < 20; i++) await createEvent(api);
    const queue = await waitFor(() => queueIsIdle(api));
    expect(queue.dropped).toBeGreaterThan(0);
    expect(queue.dropped + queue.succeeded).toBe(20);
    expect(receiver.deliveries).toHaveLength(queue.succeeded);
    const log = (await api("GET", "/_sandbox/deliveries")).body.data as { webhookId: string }[];
    expect(log.map((l) => l.webhookId).sort()).toEqual(receiver.deliveries.map((d) => d.webhookId).sort());
  });

  it("reorders deliveries of one event within the window, then delivers cleanly once faults are cleared", async () => {
    const { api, receiver } = await setup();
    await api("POST", "/_sandbox/faults", { body: { reorderWindowMs: 300 } });
    const event = await createEvent(api);
    for (let i = 1; i <= 9; i++)
      await api("PATCH", `/v1/events/${event.id}`, { body: { guestCount: { guaranteed: 100 + i } } });
    await waitFor(() => receiver.acknowledged().length >= 10, 10_000, "ten deliveries");
    const versions = receiver.deliveries.map((d) => d.payload.data.event.version);
    expect([...versions].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(versions).not.toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

    await api("POST", "/_sandbox/faults", { body: {} });
    const before = receiver.deliveries.length;
    for (let i = 1; i <= 10; i++)
      await api("PATCH", `/v1/events/${event.id}`, { body: { guestCount: { guaranteed: 200 + i } } });
    await waitFor(() => receiver.acknowledged().length >= before + 10, 10_000, "ten clean deliveries");
    await waitFor(() => queueIsIdle(api));
    const clean = receiver.deliveries.slice(before);
    expect(clean.every((d) => d.verified)).toBe(true);
    expect(clean.map((d) => d.payload.data.event.version)).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    expect(new Set(clean.map((d) => d.webhookId)).size).toBe(10);
  });

  it("skews payload timestamps but signs with the true time", async () => {
    const { api, receiver } = await setup();
    const skew = 2 * 3_600_000;
    await api("POST", "/_sandbox/faults", { body: { clockSkewMs: skew } });
    await createEvent(api);
    const [delivery] = await waitFor(() =>
      receiver.acknowledged().length === 1 ? receiver.acknowledged() : undefined,
    );
    expect(delivery?.verified).toBe(true);
    expect(Math.abs((delivery?.timestamp ?? 0) * 1000 - Date.now())).toBeLessThan(300_000);
    expect(Date.parse(delivery?.payload.createdAt ?? "") - Date.now()).toBeGreaterThan(skew - 300_000);
  });

  it("sends only the subscribed event types", async () => {
    t = await startTestSandbox();
    const receiver = await startTestWebhookReceiver(SECRET);
    receivers.push(receiver);
    await t.api("POST", "/v1/webhook-endpoints", {
      body: { url: receiver.url, secret: SECRET, events: ["contract.signed"] },
    });
    const event = await createEvent(t.api);
    await t.api("POST", `/v1/events/${event.id}/contract/sign`);
    await waitFor(() => receiver.acknowledged().length === 1, 10_000, "the contract.signed delivery");
    await waitFor(() => queueIsIdle((t as TestSandbox).api));
    expect(receiver.deliveries.map((d) => d.payload.type)).toEqual(["contract.signed"]);
  });
});
