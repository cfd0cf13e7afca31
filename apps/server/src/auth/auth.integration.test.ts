import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { apiClient, startTestMaestro, TEST_PASSWORD, type TestMaestro } from "../testing/test-server.ts";

describe("authentication, roles and organization isolation", () => {
  let m: TestMaestro;
  beforeAll(async () => {
    m = await startTestMaestro();
  });
  afterAll(async () => m.stop());

  it("answers 401 with the error shape without a key or with a wrong one", async () => {
    for (const key of [undefined, "wrong-key"]) {
      const res = await apiClient(m.url, key)("GET", "/api/calendar/events");
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("unauthenticated");
      expect(typeof res.body.error.message).toBe("string");
    }
  });

  it("logs each demo user in with a session cookie and requires the CSRF token on writes", async () => {
    for (const email of ["admin@demo.test", "ops@demo.test", "chef@demo.test", "sales@demo.test", "viewer@demo.test"]) {
      const login = await fetch(`${m.url}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, password: TEST_PASSWORD }),
      });
      expect(login.status).toBe(200);
      const me = (await login.json()) as { user: { email: string }; csrfToken: string };
      expect(me.user.email).toBe(email);
      const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
      expect(login.headers.get("set-cookie")).toMatch(/HttpOnly/i);
      const list = await fetch(`${m.url}/api/calendar/events`, { headers: { cookie } });
      expect(list.status).toBe(200);
      if (email === "ops@demo.test") {
        const body = JSON.stringify({
          title: "Tasting",
          date: "2027-01-10",
          time: "15:00",
          room: "Chef's Table",
          guestCount: 6,
        });
        const noToken = await fetch(`${m.url}/api/calendar/events`, {
          method: "POST",
          headers: { cookie, "content-type": "application/json" },
          body,
        });
        expect(noToken.status).toBe(403);
        const withToken = await fetch(`${m.url}/api/calendar/events`, {
          method: "POST",
          headers: { cookie, "content-type": "application/json", "x-csrf-token": me.csrfToken },
          body,
        });
        expect(withToken.status).toBe(201);
      }
    }
  });

  it("refuses a wrong password without telling which part was wrong", async () => {
    const res = await apiClient(m.url)("POST", "/api/auth/login", { email: "admin@demo.test", password: "nope" });
    const unknown = await apiClient(m.url)("POST", "/api/auth/login", { email: "nobody@demo.test", password: "nope" });
    expect(res.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(res.body.error.message).toBe(unknown.body.error.message);
  });

  it("backs off after repeated failed logins for one address, with Retry-After", async () => {
    const attempt = (password: string) =>
      apiClient(m.url)("POST", "/api/auth/login", { email: "viewer@demo.test", password });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await attempt("guess")).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    const throttled = await attempt(TEST_PASSWORD);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(throttled.body.error.code).toBe("rate_limited");
  });

  it("sends security headers", async () => {
    const res = await fetch(`${m.url}/healthz`);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(res.headers.get("x-frame-options")).toBeTruthy();
  });

  it("creates, lists and revokes API keys; only admins may", async () => {
    const admin = apiClient(m.url, m.adminKey);
    expect((await apiClient(m.url, m.keys.ops)("POST", "/api/api-keys", { name: "x", role: "viewer" })).status).toBe(
      403,
    );
    const created = await admin("POST", "/api/api-keys", { name: "Kitchen display", role: "viewer" });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^mk_/);
    const list = await admin("GET", "/api/api-keys");
    expect(JSON.stringify(list.body)).not.toContain(created.body.key);
    expect(list.body.data.some((k: any) => k.id === created.body.id)).toBe(true);
    expect((await apiClient(m.url, created.body.key)("GET", "/api/beos")).status).toBe(200);
    expect((await admin("DELETE", `/api/api-keys/${created.body.id}`)).status).toBe(204);
    expect((await apiClient(m.url, created.body.key)("GET", "/api/beos")).status).toBe(401);
  });

  it("never lets one organization see another's BEO", async () => {
    const other = await m.maestro.services.orgs.ensure("riverside", "Riverside Inn");
    const otherKey = (await m.maestro.services.auth.createApiKey(other.id, "other admin", "admin", "test")).key;
    const mine = await apiClient(m.url, m.adminKey)("POST", "/api/beos", {
      header: { eventName: "Private dinner" },
      event: { date: "2027-02-01", time: "19:00", room: "Library", guaranteed: 12 },
    });
    const theirs = apiClient(m.url, otherKey);
    expect((await theirs("GET", `/api/beos/${mine.body.id}`)).status).toBe(404);
    expect((await theirs("PATCH", `/api/beos/${mine.body.id}`, { event: { guaranteed: 1 } })).status).toBe(404);
    expect((await theirs("GET", `/api/calendar/events/${mine.body.calendarEventId}`)).status).toBe(404);
    const list = await theirs("GET", "/api/calendar/events");
    expect(list.body.data).toEqual([]);
  });
});

describe("login guessing", () => {
  let m: TestMaestro;
  beforeEach(async () => {
    m = await startTestMaestro();
  });
  afterEach(async () => m.stop());

  const login = (email: string, password: string, authorization?: string) =>
    fetch(`${m.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
      body: JSON.stringify({ email, password }),
    });

  it("checks no more passwords for one address than the backoff allows, even sent all at once", async () => {
    const statuses = await Promise.all(
      Array.from({ length: 40 }, (_, i) => login("viewer@demo.test", `guess-${i}`).then((r) => r.status)),
    );
    // Five free attempts, then the sixth starts the backoff: nothing after it is checked.
    expect(statuses.filter((s) => s === 401)).toHaveLength(6);
    expect(statuses.filter((s) => s === 429)).toHaveLength(34);
  });

  it("limits logins per address whatever Authorization header each request makes up", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 35; i++) {
      // A different address each time (no per-address backoff), a different made-up key each time.
      const res = await login(`nobody-${i}@demo.test`, "guess", `Bearer made-up-key-${String(i).padStart(24, "x")}`);
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(30)).toEqual([429, 429, 429, 429, 429]);
  });
});
