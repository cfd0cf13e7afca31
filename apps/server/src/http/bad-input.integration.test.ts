import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, startTestMaestro, type TestMaestro } from "../testing/test-server.ts";

describe("bad input gets a clear 4xx and loses nothing", () => {
  let m: TestMaestro;
  let admin: ReturnType<typeof apiClient>;
  beforeAll(async () => {
    m = await startTestMaestro();
    admin = apiClient(m.url, m.adminKey);
  });
  afterAll(async () => m.stop());

  const cases: [string, string, string, unknown, number][] = [
    ["malformed JSON", "POST", "/api/beos", "{not json", 400],
    [
      "wrong types",
      "POST",
      "/api/calendar/events",
      { title: 5, date: "tomorrow", time: "25:00", room: "", guestCount: "many" },
      400,
    ],
    [
      "unknown fields",
      "POST",
      "/api/calendar/events",
      { title: "x", date: "2027-01-01", time: "10:00", room: "A", guestCount: 1, hacker: true },
      400,
    ],
    ["an unknown BEO field in a PATCH", "PATCH", "/api/beos/beo_missing", { event: { guests: 3 } }, 400],
    ["an array body", "POST", "/api/beos", [1, 2, 3], 400],
    ["a bad query", "GET", "/api/calendar/events?from=yesterday", undefined, 400],
    ["an unknown query parameter", "GET", "/api/beos?sort=evil", undefined, 400],
    ["a missing BEO", "GET", "/api/beos/beo_nope", undefined, 404],
    ["an unknown route", "GET", "/api/nothing-here", undefined, 404],
  ];

  for (const [name, method, url, body, status] of cases) {
    it(`answers ${status} for ${name}`, async () => {
      const res = await admin(method, url, body);
      expect(res.status).toBe(status);
      expect(res.body.error.code).toMatch(/^[a-z_]+$/);
      expect(res.body.error.message.length).toBeGreaterThan(0);
    });
  }

  it("names each invalid field in details", async () => {
    const res = await admin("POST", "/api/calendar/events", {
      title: "x",
      date: "2027-13-45",
      time: "10:00",
      room: "A",
      guestCount: -1,
    });
    expect(res.status).toBe(400);
    const paths = res.body.error.details.map((d: any) => d.path);
    expect(paths).toEqual(expect.arrayContaining(["date", "guestCount"]));
  });

  it("answers 413 for a 2 MiB body", async () => {
    const big = JSON.stringify({ header: { eventName: "x".repeat(2 * 1024 * 1024) } });
    const res = await admin("POST", "/api/beos", big);
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe("payload_too_large");
  });

  it("answers 415 for a body that is not JSON", async () => {
    const res = await admin("POST", "/api/beos", "hello", { "content-type": "text/plain" });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe("unsupported_media_type");
  });

  it("stored nothing from the rejected requests", async () => {
    const events = await admin("GET", "/api/calendar/events");
    const beos = await admin("GET", "/api/beos");
    expect(events.body.data).toEqual([]);
    expect(beos.body.data).toEqual([]);
  });
});
