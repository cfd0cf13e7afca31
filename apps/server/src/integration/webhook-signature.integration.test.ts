import { createHmac } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { webhookSecretBytes } from "@maestro/shared/webhook-signature";
import { settle, startSyncKit, waitFor, weddingEvent, WEBHOOK_SECRET, type SyncKit } from "../testing/sync-test-kit.ts";
import { postWebhook as postWebhookFrom, rawQuery, signedDelivery } from "../testing/security-test-helpers.ts";

// Issue 5 acceptance — signature battery against POST /api/echo-integration/webhooks/echo-crm (CONTRACT §6).

let counter = 0;
const uniqueId = (label: string) => `msg_sigtest_${label}_${process.pid}_${Date.now().toString(36)}_${counter++}`;

const expectErrorShape = (body: any, code: string) => {
  expect(body).toMatchObject({ error: { code, message: expect.any(String) } });
};

// A valid Echo webhook payload about a synthetic Echo event (so that its effect is observable in Maestro).
function payloadFor(echoEvent: Record<string, unknown>, eventId: string, version = 1) {
  const now = new Date().toISOString();
  return {
    id: `evt_delivery_${eventId}`,
    type: "event.created",
    createdAt: now,
    data: { event: { ...echoEvent, id: eventId, version, createdAt: now, updatedAt: now } },
  };
}

describe("Echo webhook signature battery", () => {
  let kit: SyncKit;
  let template: Record<string, unknown>;
  // Each test speaks from its own client address (Maestro behind a trusted proxy), so the
  // bad signatures of one test never add up to the flood throttle of another.
  let clientNo = 0;
  beforeEach(() => {
    clientNo++;
  });
  const postWebhook = (k: SyncKit, body: string | Buffer, headers: Record<string, string>) =>
    postWebhookFrom(k, body, { "x-forwarded-for": `198.51.100.${clientNo}`, ...headers });

  beforeAll(async () => {
    kit = await startSyncKit({ maestro: { trustProxy: 1 } });
    // A real EchoCRMEvent as the sandbox returns it, used as the template of crafted payloads.
    const created = await kit.echo("POST", "/v1/events", { ...weddingEvent, eventName: "Signature Template Dinner" });
    expect(created.status).toBe(201);
    template = created.body;
    await waitFor(
      "template import",
      async () =>
        (await kit.admin("GET", `/api/echo-integration/echo-events?q=${created.body.id}`)).body.data.length > 0,
    );
    await settle(kit);
  });
  afterAll(async () => kit?.stop());

  const fresh = (label: string) => {
    const eventId = `evt_sig_${label}_${counter++}`;
    return { eventId, ...signedDelivery(payloadFor(template, eventId), uniqueId(label)) };
  };

  it("accepts a correctly signed delivery (control)", async () => {
    const { body, headers } = fresh("control");
    const res = await postWebhook(kit, body, headers);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ received: true, duplicate: false });
  });

  it("rejects a tampered body with 401", async () => {
    const { body, headers } = fresh("tampered");
    const tampered = body.replace('"guaranteed":150', '"guaranteed":999');
    expect(tampered).not.toBe(body);
    const res = await postWebhook(kit, tampered, headers);
    expect(res.status).toBe(401);
    expectErrorShape(res.body, "invalid_signature");
  });

  it("rejects a delivery signed with the wrong secret with 401", async () => {
    const eventId = `evt_sig_wrongsecret_${counter++}`;
    const { body, headers } = signedDelivery(
      payloadFor(template, eventId),
      uniqueId("wrongsecret"),
      Date.now() / 1000,
      "whsec_" + Buffer.from("not-the-configured-secret-000000").toString("base64"),
    );
    const res = await postWebhook(kit, body, headers);
    expect(res.status).toBe(401);
    expectErrorShape(res.body, "invalid_signature");
  });

  it.each(["webhook-id", "webhook-timestamp", "webhook-signature"] as const)(
    "rejects a delivery without the %s header with 401",
    async (missing) => {
      const { body, headers } = fresh(`missing_${missing}`);
      const partial: Record<string, string> = { ...headers };
      delete partial[missing];
      const res = await postWebhook(kit, body, partial);
      expect(res.status).toBe(401);
      expectErrorShape(res.body, "invalid_signature");
    },
  );

  it("rejects a delivery without any signature header with 401", async () => {
    const { body } = fresh("noheaders");
    const res = await postWebhook(kit, body, {});
    expect(res.status).toBe(401);
    expectErrorShape(res.body, "invalid_signature");
  });

  it("rejects timestamps 6 minutes old and 6 minutes ahead, accepts 4m59s old", async () => {
    // 4m59s old when it is sent: signed last, right before it goes, from the clock
    // rounded up (the header has whole seconds), so that neither the rounding nor
    // the requests before it make it older than 5 minutes on a busy machine.
    const now = Math.floor(Date.now() / 1000);
    const old = signedDelivery(payloadFor(template, `evt_sig_old_${counter++}`), uniqueId("old"), now - 6 * 60);
    const ahead = signedDelivery(payloadFor(template, `evt_sig_ahead_${counter++}`), uniqueId("ahead"), now + 6 * 60);
    const oldRes = await postWebhook(kit, old.body, old.headers);
    const aheadRes = await postWebhook(kit, ahead.body, ahead.headers);
    const justInside = signedDelivery(
      payloadFor(template, `evt_sig_inside_${counter++}`),
      uniqueId("inside"),
      Math.ceil(Date.now() / 1000) - (4 * 60 + 59),
    );
    const insideRes = await postWebhook(kit, justInside.body, justInside.headers);
    expect(oldRes.status).toBe(401);
    expectErrorShape(oldRes.body, "invalid_signature");
    expect(aheadRes.status).toBe(401);
    expectErrorShape(aheadRes.body, "invalid_signature");
    expect(insideRes.status).toBe(200);
  });

  it("rejects a non-numeric timestamp with 401", async () => {
    const { body, headers } = fresh("badts");
    const res = await postWebhook(kit, body, { ...headers, "webhook-timestamp": "yesterday" });
    expect(res.status).toBe(401);
    expectErrorShape(res.body, "invalid_signature");
  });

  it("accepts two signatures during a rotation when one of them is right", async () => {
    const { body, headers } = fresh("rotation");
    const wrong = createHmac("sha256", Buffer.from("an-old-rotated-out-secret"))
      .update(`${headers["webhook-id"]}.${headers["webhook-timestamp"]}.${body}`)
      .digest("base64");
    const both = `v1,${wrong} ${headers["webhook-signature"]}`;
    const res = await postWebhook(kit, body, { ...headers, "webhook-signature": both });
    expect(res.status).toBe(200);
    // …in either order.
    const again = fresh("rotation2");
    const reversed = `${again.headers["webhook-signature"]} v1,${wrong}`;
    expect((await postWebhook(kit, again.body, { ...again.headers, "webhook-signature": reversed })).status).toBe(200);
  });

  it("rejects two signatures that are both wrong with 401", async () => {
    const { body, headers } = fresh("twowrong");
    const wrong = (key: string) =>
      createHmac("sha256", Buffer.from(key))
        .update(`${headers["webhook-id"]}.${headers["webhook-timestamp"]}.${body}`)
        .digest("base64");
    const res = await postWebhook(kit, body, { ...headers, "webhook-signature": `v1,${wrong("a")} v1,${wrong("b")}` });
    expect(res.status).toBe(401);
  });

  it("answers 401 (never 500) to signatures of the wrong length or malformed signatures", async () => {
    const { body, headers } = fresh("wronglength");
    const real = Buffer.from(headers["webhook-signature"].slice(3), "base64");
    const variants = [
      `v1,${real.subarray(0, 16).toString("base64")}`, // too short
      `v1,${Buffer.concat([real, real]).toString("base64")}`, // too long
      `v1,${real.subarray(0, 31).toString("base64")}`, // one byte short
      "v1,", // empty
      "v1", // no comma
      `v2,${real.toString("base64")}`, // right bytes, unknown version
      "v1,!!!not-base64!!!",
      `v1,${"A".repeat(5000)}`, // oversized header
      " ".repeat(10),
    ];
    for (const signature of variants) {
      const res = await postWebhook(kit, body, { ...headers, "webhook-signature": signature });
      expect(res.status, `signature ${JSON.stringify(signature.slice(0, 40))}`).toBe(401);
      expectErrorShape(res.body, "invalid_signature");
    }
  });

  it("processes a repeated webhook-id once: one inbox row, one sync operation", async () => {
    const { eventId, body, headers } = fresh("dup");
    const webhookId = headers["webhook-id"];
    const first = await postWebhook(kit, body, headers);
    const second = await postWebhook(kit, body, headers);
    // A redelivery later, freshly signed with a new timestamp, same id.
    const later = signedDelivery(body, webhookId, Date.now() / 1000 + 1);
    const third = await postWebhook(kit, later.body, later.headers);
    expect([first.status, second.status, third.status]).toEqual([200, 200, 200]);
    expect(first.body.duplicate).toBe(false);
    expect(second.body.duplicate).toBe(true);
    expect(third.body.duplicate).toBe(true);
    await settle(kit);

    const inbox = await rawQuery(kit.maestro, "select webhook_id from webhook_inbox where webhook_id = ?", [webhookId]);
    expect(inbox).toHaveLength(1);
    const history = await kit.admin("GET", `/api/echo-integration/history?limit=500&echoEventId=${eventId}`);
    expect(history.status).toBe(200);
    const ops = history.body.data.filter((op: any) => op.webhookId === webhookId);
    expect(ops).toHaveLength(1);
    expect(ops[0]).toMatchObject({
      direction: "echo_to_maestro",
      trigger: "webhook",
      echoEventId: eventId,
      status: "succeeded",
    });
    // …and the effect happened once: one calendar event for that Echo event.
    const calendar = await kit.admin("GET", `/api/calendar/events?q=${eventId}`);
    expect(calendar.body.data.filter((e: any) => e.echoEventId === eventId)).toHaveLength(1);
  });

  it("answers 413 to a 2 MiB body, even when correctly signed", async () => {
    const big = JSON.stringify({
      ...payloadFor(template, `evt_sig_big_${counter++}`),
      padding: "x".repeat(2 * 1024 * 1024),
    });
    const { headers } = signedDelivery(big, uniqueId("big"));
    const res = await postWebhook(kit, big, headers);
    expect(res.status).toBe(413);
    expectErrorShape(res.body, "payload_too_large");
  });

  it("answers 400 to a verified body that is not a valid payload, visible as a failed operation in history", async () => {
    const cases = [
      {
        label: "schema",
        body: JSON.stringify({ id: "evt_bad", type: "event.created", createdAt: new Date().toISOString() }),
      },
      { label: "notjson", body: "this is not JSON {" },
      {
        label: "unknowntype",
        body: JSON.stringify({ ...payloadFor(template, `evt_sig_unknown_${counter++}`), type: "event.exploded" }),
      },
    ];
    for (const c of cases) {
      const webhookId = uniqueId(`invalid_${c.label}`);
      const { headers } = signedDelivery(c.body, webhookId);
      const res = await postWebhook(kit, c.body, headers);
      expect(res.status, c.label).toBe(400);
      expect(res.body.error.code, c.label).toMatch(/^invalid_/);
      const history = await kit.admin("GET", "/api/echo-integration/history?limit=500&status=failed");
      const op = history.body.data.find((o: any) => o.webhookId === webhookId);
      expect(op, `history row for ${c.label}`).toMatchObject({
        status: "failed",
        direction: "echo_to_maestro",
        trigger: "webhook",
        error: expect.stringMatching(/invalid webhook payload/),
      });
      // A repeat of the same invalid delivery is not a second failure.
      expect((await postWebhook(kit, c.body, headers)).status).toBe(400);
      const again = await kit.admin("GET", "/api/echo-integration/history?limit=500&status=failed");
      expect(again.body.data.filter((o: any) => o.webhookId === webhookId)).toHaveLength(1);
    }
  });

  it("verifies a whsec_ secret as its decoded key bytes, not as text", async () => {
    // Signed with the UTF-8 bytes of the whole "whsec_…" string: must not verify.
    const { body, headers } = fresh("secretbytes");
    const asText = createHmac("sha256", Buffer.from(WEBHOOK_SECRET, "utf8"))
      .update(`${headers["webhook-id"]}.${headers["webhook-timestamp"]}.${body}`)
      .digest("base64");
    expect(webhookSecretBytes(WEBHOOK_SECRET).toString("utf8")).toBe("sync-test-webhook-secret-32bytes");
    const res = await postWebhook(kit, body, { ...headers, "webhook-signature": `v1,${asText}` });
    expect(res.status).toBe(401);
  });
});

// A separate Maestro: the flood fills the per-client failure window.
describe("Echo webhook receiver under a flood of bad signatures", () => {
  let kit: SyncKit;
  let template: Record<string, unknown>;
  const postWebhook = postWebhookFrom;
  beforeAll(async () => {
    kit = await startSyncKit({ maestro: { trustProxy: 1 } });
    const created = await kit.echo("POST", "/v1/events", { ...weddingEvent, eventName: "Flood Template Dinner" });
    template = created.body;
    await settle(kit);
  });
  afterAll(async () => kit?.stop());

  it("keys the throttle on the address the proxy saw, not on what a client writes into X-Forwarded-For", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 60 && !statuses.includes(429); i++) {
      const { body, headers } = signedDelivery(payloadFor(template, `evt_spoof_${i}`), uniqueId("spoof"));
      const res = await postWebhook(kit, body, {
        ...headers,
        "webhook-signature": "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        // A made-up address each time, then the one the (trusted) proxy appended.
        "x-forwarded-for": `10.9.${i}.1, 203.0.113.99`,
      });
      statuses.push(res.status);
    }
    expect(statuses).toContain(429);
  });

  it("throttles bad signatures with 429 + Retry-After while correctly signed deliveries from the same client still get 2xx", async () => {
    const statuses: number[] = [];
    let throttled: Awaited<ReturnType<typeof postWebhook>> | undefined;
    for (let i = 0; i < 60 && !throttled; i++) {
      const eventId = `evt_flood_${i}`;
      const { body, headers } = signedDelivery(payloadFor(template, eventId), uniqueId("flood"));
      const res = await postWebhook(kit, body, {
        ...headers,
        "webhook-signature": "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
      });
      statuses.push(res.status);
      if (res.status === 429) throttled = res;
    }
    expect(throttled, `statuses: ${statuses.join(",")}`).toBeDefined();
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    expectErrorShape(throttled!.body, "rate_limited");
    const retryAfter = Number(throttled!.headers.get("retry-after"));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);

    // Same client (127.0.0.1), still inside the throttle window: signed traffic flows.
    const legit: { eventId: string; webhookId: string; status: number }[] = [];
    for (let i = 0; i < 10; i++) {
      const eventId = `evt_flood_legit_${i}_${counter++}`;
      const webhookId = uniqueId("legit");
      const { body, headers } = signedDelivery(payloadFor(template, eventId), webhookId);
      legit.push({ eventId, webhookId, status: (await postWebhook(kit, body, headers)).status });
      // Interleaved with more bad ones, which stay throttled.
      const bad = signedDelivery(payloadFor(template, `evt_flood_more_${i}`), uniqueId("flood_more"));
      const badRes = await postWebhook(kit, bad.body, {
        ...bad.headers,
        "webhook-id": bad.headers["webhook-id"] + "x",
      });
      expect(badRes.status).toBe(429);
    }
    expect(legit.map((l) => l.status)).toEqual(legit.map(() => 200));
    // The throttle is per client: a bad signature from another address is an ordinary 401.
    const other = signedDelivery(payloadFor(template, "evt_flood_other"), uniqueId("other"));
    const otherRes = await postWebhook(kit, other.body, {
      ...other.headers,
      "webhook-signature": "v1,AAAA",
      "x-forwarded-for": "203.0.113.7",
    });
    expect(otherRes.status).toBe(401);
    await settle(kit);
    for (const l of legit) {
      const history = await kit.admin("GET", `/api/echo-integration/history?echoEventId=${l.eventId}`);
      expect(
        history.body.data.some((op: any) => op.webhookId === l.webhookId && op.status === "succeeded"),
        l.eventId,
      ).toBe(true);
    }
    // The sandbox's own deliveries (same client address) are not throttled either.
    const echoCreated = await kit.echo("POST", "/v1/events", { ...weddingEvent, eventName: "Delivered During Flood" });
    await waitFor(
      "sandbox delivery during the flood",
      async () =>
        (await kit.admin("GET", `/api/echo-integration/echo-events?q=${echoCreated.body.id}`)).body.data.length === 1,
    );
  });
});
