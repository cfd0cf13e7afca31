import { echoEventPageSchema, echoEventSchema, webhookEndpointSchema } from "@maestro/shared/echo-event.schema";
import { errorBodySchema } from "@maestro/shared/errors";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type ApiResponse, sampleEvent, startTestSandbox, type TestSandbox } from "../testing/sandbox-test-kit.ts";

// Contract tests for CONTRACT §5 over real HTTP.

let t: TestSandbox;
beforeAll(async () => {
  t = await startTestSandbox();
});
afterAll(async () => {
  await t.close();
});
beforeEach(async () => {
  expect((await t.api("POST", "/_sandbox/reset")).status).toBe(200);
});

function expectError(response: ApiResponse, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(errorBodySchema.parse(response.body).error.code).toBe(code);
}

async function createEvent(overrides = {}) {
  const response = await t.api("POST", "/v1/events", { body: sampleEvent(overrides) });
  expect(response.status).toBe(201);
  return echoEventSchema.parse(response.body);
}

describe("authentication", () => {
  it("answers the health check with the API key", async () => {
    const response = await t.api("GET", "/v1/health");
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: "ok" });
  });

  it("refuses /v1 and /_sandbox without a valid key with 401", async () => {
    expectError(await t.api("GET", "/v1/health", { key: null }), 401, "unauthenticated");
    expectError(await t.api("GET", "/v1/events", { key: "wrong" }), 401, "unauthenticated");
    expectError(await t.api("POST", "/v1/events", { key: null, body: sampleEvent() }), 401, "unauthenticated");
    expectError(await t.api("POST", "/_sandbox/reset", { key: "wrong" }), 401, "unauthenticated");
    expectError(await t.api("GET", "/_sandbox/faults", { key: null }), 401, "unauthenticated");
  });
});

describe("events", () => {
  it("creates an event with version 1, server timestamps and an ETag", async () => {
    const response = await t.api("POST", "/v1/events", { body: sampleEvent({ eventName: "Rossi Wedding" }) });
    expect(response.status).toBe(201);
    const event = echoEventSchema.parse(response.body);
    expect(event).toMatchObject({ eventName: "Rossi Wedding", version: 1, contractStatus: "tentative" });
    expect(event.id).toMatch(/^evt_/);
    expect(event.createdAt).toBe(event.updatedAt);
    expect(response.headers.get("etag")).toBe('"1"');
    const fetched = await t.api("GET", `/v1/events/${event.id}`);
    expect(fetched.body).toEqual(event);
  });

  it("applies defaults for omitted optional fields", async () => {
    const body = {
      eventName: "Board Meeting",
      eventDate: "2031-01-10",
      eventTime: "09:00",
      room: "Boardroom A",
      guestCount: { guaranteed: 12 },
      clientName: "Atlas Robotics",
    };
    const event = echoEventSchema.parse((await t.api("POST", "/v1/events", { body })).body);
    expect(event).toMatchObject({
      timezone: "UTC",
      contractStatus: "inquiry",
      budget: { totalBudget: 0, currency: "USD" },
      specialRequests: "",
    });
  });

  it("rejects malformed JSON, unknown fields, server-owned fields and invalid values with 400", async () => {
    expectError(await t.api("POST", "/v1/events", { rawBody: '{"eventName": "x",' }), 400, "invalid_json");
    expectError(await t.api("POST", "/v1/events", { body: { ...sampleEvent(), colour: "red" } }), 400, "invalid_input");
    expectError(await t.api("POST", "/v1/events", { body: { ...sampleEvent(), version: 7 } }), 400, "invalid_input");
    expectError(
      await t.api("POST", "/v1/events", { body: { ...sampleEvent(), eventDate: "17/05/2031" } }),
      400,
      "invalid_input",
    );
    expectError(
      await t.api("POST", "/v1/events", { body: { ...sampleEvent(), guestCount: { guaranteed: -1 } } }),
      400,
      "invalid_input",
    );
    expectError(await t.api("POST", "/v1/events", { body: [1, 2] }), 400, "invalid_input");
    expectError(await t.api("POST", "/v1/events", {}), 400, "invalid_input");
    const wrongType = await t.api("POST", "/v1/events", {
      rawBody: "eventName=x",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(wrongType.status).toBe(415);
    const list = await t.api("GET", "/v1/events");
    expect(list.body.data).toEqual([]);
  });

  it("answers 404 for unknown events on every route", async () => {
    expectError(await t.api("GET", "/v1/events/evt_missing"), 404, "not_found");
    expectError(await t.api("PATCH", "/v1/events/evt_missing", { body: { room: "A" } }), 404, "not_found");
    expectError(await t.api("DELETE", "/v1/events/evt_missing"), 404, "not_found");
    expectError(await t.api("POST", "/v1/events/evt_missing/contract/sign"), 404, "not_found");
    expectError(await t.api("GET", "/v1/nothing-here"), 404, "not_found");
  });

  it("answers malformed URLs and overlong ids with the error shape, never a 500", async () => {
    expectError(await t.api("GET", "/v1/events/%E0%A4%A"), 400, "invalid_input");
    expectError(await t.api("GET", `/v1/events/${"x".repeat(500)}`), 400, "invalid_input");
  });

  it("patches partially, bumps the version and moves updatedAt forward", async () => {
    const event = await createEvent();
    const response = await t.api("PATCH", `/v1/events/${event.id}`, {
      body: { guestCount: { guaranteed: 210 }, endTime: null },
    });
    expect(response.status).toBe(200);
    const patched = echoEventSchema.parse(response.body);
    expect(patched.version).toBe(2);
    expect(patched.guestCount).toEqual({ expected: 220, guaranteed: 210 });
    expect(patched).not.toHaveProperty("endTime");
    expect(patched.room).toBe(event.room);
    expect(Date.parse(patched.updatedAt)).toBeGreaterThan(Date.parse(event.updatedAt));
    expect(patched.createdAt).toBe(event.createdAt);
  });

  it("treats a patch that changes nothing as no change", async () => {
    const event = await createEvent();
    const response = await t.api("PATCH", `/v1/events/${event.id}`, { body: { room: event.room } });
    expect(response.body).toEqual(event);
  });

  it("enforces If-Match with 412 for a stale version", async () => {
    const event = await createEvent();
    const ok = await t.api("PATCH", `/v1/events/${event.id}`, {
      body: { room: "Harbor Room" },
      headers: { "if-match": '"1"' },
    });
    expect(ok.status).toBe(200);
    const stale = await t.api("PATCH", `/v1/events/${event.id}`, {
      body: { room: "Atlas Room" },
      headers: { "if-match": "1" },
    });
    expectError(stale, 412, "version_mismatch");
    expect(stale.body.error.details).toEqual({ currentVersion: 2 });
    expectError(
      await t.api("POST", `/v1/events/${event.id}/contract/sign`, { headers: { "if-match": "1" } }),
      412,
      "version_mismatch",
    );
    expectError(
      await t.api("DELETE", `/v1/events/${event.id}`, { headers: { "if-match": "5" } }),
      412,
      "version_mismatch",
    );
    expectError(
      await t.api("PATCH", `/v1/events/${event.id}`, { body: { room: "X" }, headers: { "if-match": "two" } }),
      400,
      "invalid_input",
    );
    expect((await t.api("GET", `/v1/events/${event.id}`)).body.room).toBe("Harbor Room");
  });

  it("rejects invalid patches with 400 and leaves the event unchanged", async () => {
    const event = await createEvent();
    expectError(await t.api("PATCH", `/v1/events/${event.id}`, { rawBody: "{nope" }), 400, "invalid_json");
    expectError(await t.api("PATCH", `/v1/events/${event.id}`, { body: { version: 9 } }), 400, "invalid_input");
    expectError(
      await t.api("PATCH", `/v1/events/${event.id}`, { body: { guestCount: { guaranteed: "many" } } }),
      400,
      "invalid_input",
    );
    expect((await t.api("GET", `/v1/events/${event.id}`)).body).toEqual(event);
  });

  it("signs a contract once", async () => {
    const event = await createEvent();
    const signed = await t.api("POST", `/v1/events/${event.id}/contract/sign`, { headers: { "if-match": "1" } });
    expect(signed.status).toBe(200);
    expect(signed.body).toMatchObject({ contractStatus: "signed", version: 2 });
    const again = await t.api("POST", `/v1/events/${event.id}/contract/sign`);
    expect(again.body.version).toBe(2);
    expectError(
      await t.api("POST", `/v1/events/${event.id}/contract/sign`, { body: { extra: true } }),
      400,
      "invalid_input",
    );
  });

  it("soft-deletes: the event stays readable and listed with deletedAt", async () => {
    const event = await createEvent();
    const deleted = await t.api("DELETE", `/v1/events/${event.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.version).toBe(2);
    expect(deleted.body.deletedAt).toBe(deleted.body.updatedAt);
    expect((await t.api("GET", `/v1/events/${event.id}`)).body.deletedAt).toBe(deleted.body.deletedAt);
    const list = echoEventPageSchema.parse((await t.api("GET", "/v1/events")).body);
    expect(list.data.map((e) => [e.id, e.deletedAt])).toEqual([[event.id, deleted.body.deletedAt]]);
    expect((await t.api("GET", "/v1/events?includeDeleted=false")).body.data).toEqual([]);
    expect((await t.api("DELETE", `/v1/events/${event.id}`)).body.version).toBe(2);
    expectError(await t.api("PATCH", `/v1/events/${event.id}`, { body: { room: "A" } }), 409, "conflict");
  });
});

describe("listing", () => {
  it("pages in (updatedAt, id) order with nextCursor null at the end", async () => {
    const created = [];
    for (let i = 0; i < 7; i++) created.push(await createEvent());
    await t.api("PATCH", `/v1/events/${created[0]?.id}`, { body: { room: "Summit Room" } });
    const seen = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=3&cursor=${cursor}` : "?limit=3";
      const page = echoEventPageSchema.parse((await t.api("GET", `/v1/events${query}`)).body);
      expect(page.data.length).toBeLessThanOrEqual(3);
      seen.push(...page.data);
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.map((e) => e.id)).toEqual([...created.slice(1), created[0]].map((e) => e?.id));
    const times = seen.map((e) => Date.parse(e.updatedAt));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it("filters by updatedSince (inclusive)", async () => {
    const first = await createEvent();
    const second = await createEvent();
    const page = await t.api("GET", `/v1/events?updatedSince=${encodeURIComponent(second.updatedAt)}`);
    expect(page.body.data.map((e: { id: string }) => e.id)).toEqual([second.id]);
    const all = await t.api("GET", `/v1/events?updatedSince=${encodeURIComponent(first.updatedAt)}`);
    expect(all.body.data).toHaveLength(2);
  });

  it("rejects bad query parameters with 400", async () => {
    expectError(await t.api("GET", "/v1/events?limit=201"), 400, "invalid_input");
    expectError(await t.api("GET", "/v1/events?limit=0"), 400, "invalid_input");
    expectError(await t.api("GET", "/v1/events?updatedSince=yesterday"), 400, "invalid_input");
    expectError(await t.api("GET", "/v1/events?cursor=garbage"), 400, "invalid_input");
    expectError(await t.api("GET", "/v1/events?sort=name"), 400, "invalid_input");
  });
});

describe("webhook endpoints", () => {
  it("registers, lists and deletes subscriptions without ever returning the secret", async () => {
    const created = await t.api("POST", "/v1/webhook-endpoints", {
      body: { url: "http://127.0.0.1:9/hooks", secret: "whsec_c2VjcmV0LXNlY3JldA==", events: ["event.updated"] },
    });
    expect(created.status).toBe(201);
    const endpoint = webhookEndpointSchema.parse(created.body);
    expect(endpoint).toMatchObject({ url: "http://127.0.0.1:9/hooks", events: ["event.updated"], status: "active" });
    expect(JSON.stringify(created.body)).not.toContain("whsec_");
    const again = await t.api("POST", "/v1/webhook-endpoints", {
      body: { url: "http://127.0.0.1:9/hooks", secret: "another-secret" },
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({
      id: endpoint.id,
      events: ["event.created", "event.updated", "contract.signed", "event.deleted"],
    });
    const list = await t.api("GET", "/v1/webhook-endpoints");
    expect(list.body.data).toHaveLength(1);
    expect(JSON.stringify(list.body)).not.toMatch(/secret/);
    expect((await t.api("DELETE", `/v1/webhook-endpoints/${endpoint.id}`)).status).toBe(204);
    expectError(await t.api("DELETE", `/v1/webhook-endpoints/${endpoint.id}`), 404, "not_found");
    expect((await t.api("GET", "/v1/webhook-endpoints")).body.data).toEqual([]);
  });

  it("validates subscriptions", async () => {
    expectError(
      await t.api("POST", "/v1/webhook-endpoints", { body: { url: "ftp://x", secret: "long-enough" } }),
      400,
      "invalid_input",
    );
    expectError(
      await t.api("POST", "/v1/webhook-endpoints", { body: { url: "http://127.0.0.1:9/", secret: "short" } }),
      400,
      "invalid_input",
    );
    expectError(
      await t.api("POST", "/v1/webhook-endpoints", {
        body: { url: "http://127.0.0.1:9/", secret: "long-enough", events: ["beo.created"] },
      }),
      400,
      "invalid_input",
    );
  });
});

describe("notifications", () => {
  it("lists notifications (empty for a fresh store) and validates the query", async () => {
    expect((await t.api("GET", "/v1/notifications")).body).toEqual({ data: [] });
    expectError(await t.api("GET", "/v1/notifications?limit=-1"), 400, "invalid_input");
  });
});

describe("sandbox controls", () => {
  it("sets, reports and clears faults", async () => {
    expect((await t.api("GET", "/_sandbox/faults")).body).toEqual({});
    const set = await t.api("POST", "/_sandbox/faults", { body: { dropRate: 0.25, latencyMs: 5 } });
    expect(set.body).toEqual({ dropRate: 0.25, latencyMs: 5 });
    expect((await t.api("GET", "/_sandbox/faults")).body).toEqual({ dropRate: 0.25, latencyMs: 5 });
    expectError(await t.api("POST", "/_sandbox/faults", { body: { dropRate: 2 } }), 400, "invalid_input");
    expectError(await t.api("POST", "/_sandbox/faults", { body: { chaos: true } }), 400, "invalid_input");
    expect((await t.api("POST", "/_sandbox/faults", { body: {} })).body).toEqual({});
  });

  it("injects 5xx answers on the API but never on /_sandbox", async () => {
    await t.api("POST", "/_sandbox/faults", { body: { errorRate: 1 } });
    const failed = await t.api("GET", "/v1/events");
    expect(failed.status).toBe(503);
    expect(errorBodySchema.safeParse(failed.body).success).toBe(true);
    expectError(await t.api("POST", "/v1/events", { body: sampleEvent() }), 503, "internal_error");
    expect((await t.api("GET", "/_sandbox/faults")).status).toBe(200);
    await t.api("POST", "/_sandbox/faults", { body: {} });
    expect((await t.api("GET", "/v1/events")).body.data).toEqual([]);
  });

  it("delays API answers by latencyMs", async () => {
    await t.api("POST", "/_sandbox/faults", { body: { latencyMs: 250 } });
    const started = Date.now();
    expect((await t.api("GET", "/v1/health")).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
  });

  it("rate-limits the API with 429 and Retry-After", async () => {
    await t.api("POST", "/_sandbox/faults", { body: { rateLimitPerSecond: 2 } });
    const statuses = [];
    let limited: ApiResponse | undefined;
    for (let i = 0; i < 5; i++) {
      const response = await t.api("GET", "/v1/health");
      statuses.push(response.status);
      if (response.status === 429) limited = response;
    }
    expect(statuses).toContain(429);
    expect(limited?.headers.get("retry-after")).toMatch(/^\d+$/);
    expectError(limited as ApiResponse, 429, "rate_limited");
  });

  it("skews reported timestamps and the Date header, and reads updatedSince in skewed time", async () => {
    const skew = 3 * 3_600_000;
    const plain = await createEvent();
    await t.api("POST", "/_sandbox/faults", { body: { clockSkewMs: skew } });
    const response = await t.api("GET", `/v1/events/${plain.id}`);
    expect(Date.parse(response.body.updatedAt) - Date.parse(plain.updatedAt)).toBe(skew);
    expect(Date.parse(response.body.createdAt) - Date.parse(plain.createdAt)).toBe(skew);
    const dateHeader = Date.parse(response.headers.get("date") ?? "");
    expect(dateHeader - Date.now()).toBeGreaterThan(skew - 60_000);
    const since = await t.api("GET", `/v1/events?updatedSince=${encodeURIComponent(response.body.updatedAt)}`);
    expect(since.body.data.map((e: { id: string }) => e.id)).toEqual([plain.id]);
  });

  it("resets the store", async () => {
    await createEvent();
    await t.api("POST", "/v1/webhook-endpoints", { body: { url: "http://127.0.0.1:9/a", secret: "long-enough" } });
    expect((await t.api("POST", "/_sandbox/reset", { body: { keepWebhookEndpoints: true } })).status).toBe(200);
    expect((await t.api("GET", "/v1/events")).body.data).toEqual([]);
    expect((await t.api("GET", "/v1/webhook-endpoints")).body.data).toHaveLength(1);
    await t.api("POST", "/_sandbox/reset");
    expect((await t.api("GET", "/v1/webhook-endpoints")).body.data).toEqual([]);
    expectError(await t.api("POST", "/_sandbox/reset", { body: { everything: true } }), 400, "invalid_input");
  });

  it("seeds the same realistic events for the same seed", async () => {
    const content = async () => {
      const page = echoEventPageSchema.parse((await t.api("GET", "/v1/events?limit=200")).body);
      return page.data.map(({ id: _id, createdAt: _c, updatedAt: _u, ...rest }) => rest);
    };
    const seeded = await t.api("POST", "/_sandbox/seed", { body: { count: 25, seed: 99 } });
    expect(seeded.status).toBe(201);
    expect(seeded.body.created).toBe(25);
    const first = await content();
    await t.api("POST", "/_sandbox/reset");
    await t.api("POST", "/_sandbox/seed", { body: { count: 25, seed: 99 } });
    expect(await content()).toEqual(first);
    expect(new Set(first.map((e) => e.room)).size).toBeGreaterThan(2);
    expectError(await t.api("POST", "/_sandbox/seed", { body: { count: -1 } }), 400, "invalid_input");
  });
});
