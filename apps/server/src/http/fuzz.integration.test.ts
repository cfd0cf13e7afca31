import fc from "fast-check";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signWebhook } from "@maestro/shared/webhook-signature";
import { openDatabase, type DatabaseHandle } from "../db/database.ts";
import {
  SANDBOX_KEY,
  settle,
  startSyncKit,
  waitFor,
  weddingEvent,
  WEBHOOK_SECRET,
  type SyncKit,
} from "../testing/sync-test-kit.ts";

// Generated bodies, headers and query strings against every public route and the
// webhook receiver (CONTRACT §3: bad input never yields a 500 and never loses
// data). MAESTRO_FUZZ_RUNS sets the total number of requests (500 in `npm test`,
// 10,000 in `npm run fuzz`); MAESTRO_FUZZ_SEED replays a run.
//
// For every generated request: no 5xx; every 4xx is `{error:{code,message}}`;
// a rejected request stores nothing (a fingerprint of every table is the same
// before and after it). Afterwards the server still answers /healthz, no
// prototype was polluted, and the worker runs whatever was accepted.
//
// Traffic stays on 127.0.0.1: URL fields that Maestro would call (echoCrmApiUrl)
// or hand to Echo for deliveries (maestroApiUrl) only ever take local values.

const RUNS = Math.max(20, Number(process.env.MAESTRO_FUZZ_RUNS ?? 500));
const SEED = process.env.MAESTRO_FUZZ_SEED ? Number(process.env.MAESTRO_FUZZ_SEED) : undefined;
const WEBHOOK_RUNS = Math.round(RUNS * 0.25);
const CONFIG_RUNS = Math.round(RUNS * 0.1);
const ROUTE_RUNS = RUNS - WEBHOOK_RUNS - CONFIG_RUNS;
const P = "/api/echo-integration";
const WEBHOOK_PATH = `${P}/webhooks/echo-crm`;

type Sent = { method: string; path: string; headers: Record<string, string>; body?: string | undefined };
type Answer = { status: number; contentType: string; text: string };

// ---------- values ----------

const nastyStrings = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\u0007\u001b[31m",
  "null",
  "undefined",
  "NaN",
  "Infinity",
  "-1",
  "1e309",
  "9".repeat(400),
  "👩‍🍳🎂 Ünïcödé ﷽",
  "\u202eevil",
  "\ud800",
  "\ufeff",
  "'; drop table beos; --",
  '" OR 1=1 --',
  "%00",
  "%E0%A4%A",
  "../../etc/passwd",
  "<script>alert(1)</script>",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "2027-02-30",
  "2027-13-01",
  "2027-1-1",
  "24:00",
  "23:60",
  "9999-12-31",
  "0000-00-00",
  "x".repeat(10_001),
  "y".repeat(201),
];
const nastyNumbers = [
  0,
  -0,
  -1,
  1.5,
  0.1,
  2 ** 31,
  -(2 ** 31) - 1,
  Number.MAX_SAFE_INTEGER + 2,
  -Number.MAX_SAFE_INTEGER - 2,
  1e308,
  -1e308,
  Number.MIN_VALUE,
  100_001,
  1441,
];
const pollution = [
  JSON.parse('{"__proto__":{"polluted":"yes","role":"admin"}}'),
  JSON.parse('{"constructor":{"prototype":{"polluted":"yes"}}}'),
  JSON.parse('{"__proto__":null}'),
  { prototype: { polluted: "yes" } },
];

const nasty: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(...nastyStrings),
  fc.constantFrom<unknown>(...nastyNumbers),
  fc.constantFrom<unknown>(true, false, null, [], {}, [null], [[[]]], ...pollution),
);
const fuzzValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: nasty },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })) },
);

// JSON text that is not valid JSON, or that JSON.parse accepts with surprises.
const malformedJson = fc.constantFrom(
  "{",
  '{"a":',
  "[1,2",
  "{'a':1}",
  "nul",
  '"unterminated',
  '{"a":1}}',
  "{,}",
  "\u0000",
  '{"a":1e999}',
  '{"guestCount":1e999}',
  "-",
  "01",
  "NaN",
  "\ufeff{}",
  '{"__proto__":{"polluted":"yes"}}',
  '{"constructor":{"prototype":{"polluted":"yes"}}}',
  '{"a":"\\ud800"}',
  '{"a":"\\u0000"}',
  `${"[".repeat(5000)}${"]".repeat(5000)}`,
  `{"a":${"9".repeat(5000)}}`,
);

// Mutates one spot of a valid value: a leaf replaced, a key removed or added, the whole wrapped.
function mutate(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc
    .tuple(
      valid,
      fc.nat(),
      fc.integer({ min: 0, max: 6 }),
      fuzzValue,
      fc.constantFrom("__proto__", "constructor", "prototype", "extra", "id", "version", "orgId"),
    )
    .map(([value, pick, how, replacement, key]) => {
      if (how === 0 || how === 6) return value; // valid as generated
      if (how === 5) return [value];
      const paths: (string | number)[][] = [];
      const walk = (v: unknown, p: (string | number)[]) => {
        paths.push(p);
        if (v && typeof v === "object")
          for (const [k, child] of Object.entries(v)) walk(child, [...p, Array.isArray(v) ? Number(k) : k]);
      };
      walk(value, []);
      const at = paths[pick % paths.length]!;
      const copy = structuredClone(value) as Record<string | number, unknown>;
      if (at.length === 0)
        return how === 4 && copy && typeof copy === "object" ? { ...copy, [key]: replacement } : replacement;
      const parent = at.slice(0, -1).reduce<any>((o, k) => o[k], copy);
      const last = at.at(-1)!;
      if (how === 1 || how === 2) parent[last] = replacement;
      else if (how === 3) delete parent[last];
      else if (parent && typeof parent === "object" && !Array.isArray(parent))
        Object.defineProperty(parent, key, {
          value: replacement,
          enumerable: true,
          configurable: true,
          writable: true,
        });
      return copy;
    });
}

const date = fc
  .date({ min: new Date("2026-01-01"), max: new Date("2029-12-31"), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const time = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 30, 45))
  .map(([h, m]) => `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`);
const shortText = fc.string({ unit: "grapheme", minLength: 1, maxLength: 30 });
const count = fc.integer({ min: 0, max: 100_000 });

describe("fuzzing every route and the webhook receiver", () => {
  let kit: SyncKit;
  let database: DatabaseHandle;
  const ids = { beo: [] as string[], calendar: [] as string[], echo: [] as string[], notification: [] as string[] };
  let echoEventSample: Record<string, unknown>;
  let prototypeKeys: string[];
  const stats = { requests: 0, byStatus: new Map<number, number>() };

  // A fingerprint of every table: a rejected request must leave it unchanged.
  // (api_keys.last_used_at moves on every authenticated call, so it is left out.)
  const FINGERPRINT: [string, string[]][] = [
    ["organizations", ["count(*)", "sum(beo_seq)"]],
    ["users", ["count(*)"]],
    ["sessions", ["count(*)"]],
    ["api_keys", ["count(*)", "count(revoked_at)"]],
    ["rooms", ["count(*)"]],
    ["calendar_events", ["count(*)", "max(updated_at)"]],
    ["beos", ["count(*)", "sum(version)", "max(updated_at)"]],
    ["beo_revisions", ["count(*)"]],
    ["notifications", ["count(*)", "count(read_at)"]],
    ["audit_log", ["count(*)"]],
    ["integration_configs", ["count(*)", "max(updated_at)", "sum(enabled)"]],
    ["webhook_inbox", ["count(*)"]],
    ["sync_jobs", ["count(*)", "max(updated_at)"]],
    ["sync_links", ["count(*)", "max(updated_at)"]],
    ["sync_operations", ["count(*)"]],
    ["data_conflicts", ["count(*)", "count(resolved_at)"]],
    ["alerts", ["count(*)", "count(resolved_at)"]],
  ];
  const fingerprintNames = FINGERPRINT.flatMap(([table, exprs]) => exprs.map((e) => `${table}: ${e}`));
  const fingerprintSql = `select ${FINGERPRINT.flatMap(([table, exprs]) =>
    exprs.map((e) => `(select ${e} from ${table})`),
  )
    .map((q, i) => `${q} as f${i}`)
    .join(", ")}`;
  async function fingerprint(): Promise<Record<string, string>> {
    const { rows } = await sql.raw<Record<string, unknown>>(fingerprintSql).execute(database.db);
    return Object.fromEntries(fingerprintNames.map((name, i) => [name, String(rows[0]![`f${i}`] ?? "null")]));
  }
  const changed = (a: Record<string, string>, b: Record<string, string>) => Object.keys(a).filter((k) => a[k] !== b[k]);

  async function send(req: Sent): Promise<Answer> {
    const res = await fetch(kit.maestro.url + req.path, {
      method: req.method,
      headers: req.headers,
      redirect: "manual",
      ...(req.body !== undefined ? { body: req.body } : {}),
    });
    const text = await res.text();
    stats.requests++;
    stats.byStatus.set(res.status, (stats.byStatus.get(res.status) ?? 0) + 1);
    return { status: res.status, contentType: res.headers.get("content-type") ?? "", text };
  }

  const describeRequest = (req: Sent, res: Answer) =>
    `${req.method} ${req.path.slice(0, 300)}\nheaders ${JSON.stringify(req.headers).slice(0, 600)}\nbody ${JSON.stringify(req.body?.slice(0, 600))}\n→ ${res.status} ${res.text.slice(0, 600)}`;

  // The answer's contract: never a 5xx, and a 4xx carries the error shape.
  function checkAnswer(req: Sent, res: Answer) {
    const about = describeRequest(req, res);
    expect(res.status, about).toBeLessThan(500);
    expect(res.status >= 200 && res.status < 300 ? "2xx" : res.status >= 400 ? "4xx" : "other", about).not.toBe(
      "other",
    );
    if (res.status >= 400) {
      expect(res.contentType, about).toMatch(/application\/json/);
      const body = JSON.parse(res.text) as { error?: { code?: unknown; message?: unknown } };
      expect(typeof body.error?.code === "string" && /^[a-z_]+$/.test(body.error.code), about).toBe(true);
      expect(typeof body.error?.message === "string" && body.error.message.length > 0, about).toBe(true);
    }
  }

  beforeAll(async () => {
    prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
    // No per-caller rate limit: the fuzzer is one caller sending thousands of requests.
    kit = await startSyncKit({ maestro: { apiRateLimitPerMinute: 1_000_000 } });
    const signed = [];
    for (let i = 0; i < 2; i++) {
      signed.push(
        (
          await kit.echo("POST", "/v1/events", {
            ...weddingEvent,
            eventName: `Fuzz signed ${i}`,
            contractStatus: "signed",
          })
        ).body.id as string,
      );
    }
    const unsigned = (await kit.echo("POST", "/v1/events", { ...weddingEvent, eventName: "Fuzz tentative" })).body
      .id as string;
    for (const id of signed)
      ids.beo.push(
        await waitFor("BEO", async () => (await kit.admin("GET", `/api/beos?echoEventId=${id}`)).body.data[0]?.id),
      );
    await waitFor("import", async () => (await kit.admin("GET", `/api/calendar/events?q=${unsigned}`)).body.data[0]);
    const local = await kit.admin("POST", "/api/calendar/events", {
      title: "Local tasting",
      date: "2027-05-05",
      time: "12:00",
      room: "Salon",
      guestCount: 12,
    });
    expect(local.status).toBe(201);
    await settle(kit);
    await waitFor(
      "Echo's deliveries to drain",
      async () => (await kit.echo("GET", "/_sandbox/queue")).body.pending === 0,
    );
    await settle(kit);
    ids.calendar = ((await kit.admin("GET", "/api/calendar/events?limit=100")).body.data as any[]).map((c) => c.id);
    ids.echo = [...signed, unsigned];
    ids.notification = ((await kit.admin("GET", "/api/notifications")).body.data as any[]).map((n) => n.id);
    echoEventSample = (await kit.echo("GET", `/v1/events/${unsigned}`)).body;
    // From here on nothing runs in the background: every change in the database comes from a fuzzed request.
    kit.maestro.maestro.integration.scheduler.stop();
    await kit.maestro.maestro.integration.worker?.stop();
    const db = kit.maestro.db;
    database = await openDatabase({
      dataDir: db.dataDir,
      ...(db.databaseUrl ? { databaseUrl: db.databaseUrl } : {}),
      ...(db.schema ? { schema: db.schema } : {}),
      poolSize: 2,
    });
  }, 60_000);

  afterAll(async () => {
    console.log(
      `fuzz: ${stats.requests} requests, statuses ${JSON.stringify(Object.fromEntries([...stats.byStatus].sort(([a], [b]) => a - b)))}`,
    );
    await database?.close();
    await kit?.stop();
  });

  // Integration configurations whose URLs are all local: echoCrmApiUrl is what Maestro
  // calls, maestroApiUrl is where Echo will deliver. The long one is valid for Maestro,
  // but Echo refuses a webhook URL built on it (over 2,000 characters).
  function configArbitrary() {
    const safeEchoUrl = fc.constantFrom(
      `${kit.sandbox.url}/v1`,
      `${kit.sandbox.url}/v1`,
      `${kit.sandbox.url}/v1/`,
      `${kit.sandbox.url}`,
      "http://127.0.0.1:1/v1",
      "https://127.0.0.1:9/v1",
      "https://[::1]:9/v1",
      "https://localhost:9/v1",
      "ftp://127.0.0.1/v1",
    );
    const safeMaestroUrl = fc.constantFrom(
      kit.maestro.url,
      `${kit.maestro.url}/`,
      "http://127.0.0.1:1",
      `https://127.0.0.1:2/${"p".repeat(1960)}`,
      `https://127.0.0.1:2/${"p".repeat(1990)}`,
    );
    return fc.record({
      organizationId: fc.constantFrom("demo", "demo", kit.maestro.orgId, "someone-else"),
      echoCrmApiUrl: safeEchoUrl,
      echoCrmApiKey: fc.constantFrom(SANDBOX_KEY, SANDBOX_KEY, "wrong-key"),
      maestroApiUrl: safeMaestroUrl,
      maestroApiKey: fc.constantFrom(kit.maestro.keys.ops, "k"),
      webhookSecret: fc.constantFrom(WEBHOOK_SECRET, WEBHOOK_SECRET, "short", "whsec_!!!notbase64!!!"),
      syncDirection: fc.constantFrom("bidirectional", "echo_to_maestro", "maestro_to_echo"),
      autoSync: fc.constant(false),
      syncInterval: fc.integer({ min: 1, max: 1440 }),
      conflictResolution: fc.constantFrom("newest_wins", "echo_wins", "maestro_wins", "manual"),
    });
  }

  // ---------- the webhook receiver ----------

  it(
    `webhook receiver: ${WEBHOOK_RUNS} generated deliveries`,
    async () => {
      const echoPayload = fc.record({
        id: fc.string({ minLength: 1, maxLength: 30 }),
        type: fc.constantFrom("event.created", "event.updated", "contract.signed", "event.deleted"),
        createdAt: fc.constant(new Date().toISOString()),
        data: fc.record({ event: fc.constant(echoEventSample), changedFields: fc.constant(["room"]) }),
      });
      const body = fc.oneof(
        { weight: 4, arbitrary: mutate(echoPayload).map((v) => JSON.stringify(v) ?? "null") },
        { weight: 2, arbitrary: fuzzValue.map((v) => JSON.stringify(v) ?? "null") },
        { weight: 2, arbitrary: malformedJson },
        { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 200 }) },
        { weight: 1, arbitrary: fc.constant(JSON.stringify({ pad: "x".repeat(1024 * 1024 + 10) })) },
      );
      const signing = fc.constantFrom(
        "valid",
        "valid",
        "valid",
        "none",
        "wrong-secret",
        "stale",
        "future",
        "no-id",
        "rotated",
        "malformed",
        "other-body",
        "empty-id",
      );
      const query = fc.constantFrom(
        "?org=ORG",
        "",
        "?org=",
        "?org=nobody",
        "?org=ORG&org=ORG",
        "?org[]=x",
        `?org=${"o".repeat(65)}`,
        "?org=%E0%A4%A",
        "?org=__proto__",
      );
      const contentType = fc.constantFrom(
        "application/json",
        "application/json",
        "text/plain",
        "application/octet-stream",
        "",
        "application/json; charset=utf-16",
      );
      const badSignature = fc.constantFrom(
        "v1,",
        "v2,abc",
        "v1,!!!",
        "v1",
        ",",
        "v1,===",
        "x".repeat(3000),
        " ",
        "v1,AAAA v1,BBBB",
      );

      await fc.assert(
        fc.asyncProperty(
          body,
          signing,
          query,
          contentType,
          badSignature,
          fc.uuid(),
          async (raw, mode, q, type, malformedSignature, uuid) => {
            const webhookId = mode === "empty-id" ? "" : `msg_fuzz_${uuid}`;
            const now = Date.now() / 1000;
            const ts = mode === "stale" ? now - 600 : mode === "future" ? now + 600 : now;
            const secret =
              mode === "wrong-secret"
                ? "whsec_" + Buffer.from("another-secret-entirely-32-bytes").toString("base64")
                : WEBHOOK_SECRET;
            const signed = signWebhook(secret, webhookId, ts, mode === "other-body" ? `${raw} ` : raw) as Record<
              string,
              string
            >;
            const headers: Record<string, string> = { ...(type ? { "content-type": type } : {}) };
            if (mode !== "none") Object.assign(headers, signed);
            if (mode === "no-id") delete headers["webhook-id"];
            if (mode === "rotated")
              headers["webhook-signature"] =
                `v1,${Buffer.from("not the signature").toString("base64")} ${signed["webhook-signature"]}`;
            if (mode === "malformed") headers["webhook-signature"] = malformedSignature;
            const req: Sent = {
              method: "POST",
              path: WEBHOOK_PATH + q.replace("ORG", kit.maestro.orgId),
              headers,
              body: raw,
            };
            const before = await fingerprint();
            const res = await send(req);
            checkAnswer(req, res);
            const after = await fingerprint();
            const diff = changed(before, after);
            if (res.status >= 400) {
              // A verified body that is not a valid payload is kept as rejected, with a failed operation in history.
              const allowed = res.status === 400 ? ["webhook_inbox: count(*)", "sync_operations: count(*)"] : [];
              expect(
                diff.filter((k) => !allowed.includes(k)),
                `stored by a rejected delivery:\n${describeRequest(req, res)}`,
              ).toEqual([]);
            } else {
              // Acknowledged: stored once, with one job (a repeated webhook-id stores nothing).
              const duplicate = (JSON.parse(res.text) as { duplicate?: boolean }).duplicate;
              expect(diff.sort(), describeRequest(req, res)).toEqual(
                duplicate ? [] : ["sync_jobs: count(*)", "sync_jobs: max(updated_at)", "webhook_inbox: count(*)"],
              );
            }
          },
        ),
        {
          numRuns: WEBHOOK_RUNS,
          ...(SEED !== undefined ? { seed: SEED } : {}),
          // Always tried: a verified body with a raw NUL byte (kept as rejected), and an escaped one (valid JSON).
          examples: [
            [
              '{"id":"x","type":"event.updated","data":"\u0000"}',
              "valid",
              "?org=ORG",
              "application/json",
              "v1,",
              "00000000-0000-4000-8000-000000000001",
            ],
            [
              '{"id":"\\u0000","type":"event.updated"}',
              "valid",
              "?org=ORG",
              "application/json",
              "v1,",
              "00000000-0000-4000-8000-000000000002",
            ],
          ],
        },
      );
    },
    120_000 + RUNS * 60,
  );

  // ---------- integration configuration ----------

  it(
    `configuration changes: ${CONFIG_RUNS} generated initialize / PATCH config requests`,
    async () => {
      const endpoints = async () => JSON.stringify((await kit.echo("GET", "/v1/webhook-endpoints")).body.data);
      const config = configArbitrary();
      const patch = config.chain((c) =>
        fc
          .subarray(
            Object.keys(c).filter((k) => k !== "organizationId"),
            { minLength: 1 },
          )
          .map((keys) => Object.fromEntries(keys.map((k) => [k, (c as Record<string, unknown>)[k]]))),
      );
      const request = fc.oneof(
        mutate(config).map((body) => ({ method: "POST", path: `${P}/initialize`, body })),
        mutate(patch).map((body) => ({ method: "PATCH", path: `${P}/config`, body })),
      );
      await fc.assert(
        fc.asyncProperty(request, async ({ method, path, body }) => {
          const req: Sent = {
            method,
            path,
            headers: { authorization: `Bearer ${kit.maestro.keys.admin}`, "content-type": "application/json" },
            body: JSON.stringify(body),
          };
          const before = await fingerprint();
          const registered = await endpoints();
          const res = await send(req);
          checkAnswer(req, res);
          if (res.status >= 400) {
            expect(
              changed(before, await fingerprint()),
              `stored by a rejected configuration change:\n${describeRequest(req, res)}`,
            ).toEqual([]);
            // ...and Echo still delivers where it did: a refused change never unregisters Maestro.
            expect(
              await endpoints(),
              `Echo's webhook endpoints changed by a rejected request:\n${describeRequest(req, res)}`,
            ).toBe(registered);
          }
        }),
        { numRuns: CONFIG_RUNS, ...(SEED !== undefined ? { seed: SEED } : {}) },
      );
    },
    60_000 + RUNS * 60,
  );

  // ---------- every route ----------

  it(
    `routes: ${ROUTE_RUNS} generated requests against every route`,
    async () => {
      // encodeURIComponent refuses lone surrogates: those go as they are.
      const encode = (s: string) => {
        try {
          return encodeURIComponent(s);
        } catch {
          return s;
        }
      };
      const idOf = (kind: keyof typeof ids) =>
        fc.oneof(
          { weight: 3, arbitrary: fc.constantFrom(...(ids[kind].length ? ids[kind] : ["none"])).map(encode) },
          { weight: 1, arbitrary: fc.string({ maxLength: 80 }).map(encode) },
          { weight: 1, arbitrary: fc.constantFrom(...nastyStrings.map((s) => encode(s.slice(0, 300)))) },
          {
            weight: 1,
            arbitrary: fc.constantFrom("%E0%A4%A", "%", "..", "%2e%2e", "a%2Fb", "x".repeat(65), "%00", "%F0%9F%8E%82"),
          },
        );
      const config = configArbitrary();
      const beoPatch = fc.record(
        {
          header: fc.record({ eventName: shortText, clientName: shortText }, { requiredKeys: [] }),
          event: fc.record(
            {
              date,
              time,
              room: shortText,
              guaranteed: count,
              expected: fc.option(count),
              set: fc.option(count),
              endTime: fc.option(time),
            },
            { requiredKeys: [] },
          ),
          menu: fc.record(
            {
              items: fc.array(
                fc.record({
                  name: shortText,
                  quantity: fc.nat(500),
                  dietary: fc.array(fc.constantFrom("vegan", "halal", "nut-free")),
                }),
                { maxLength: 3 },
              ),
              specialInstructions: fc.string({ maxLength: 50 }),
            },
            { requiredKeys: [] },
          ),
          setup: fc.record(
            { layout: fc.option(shortText), specialRequests: fc.string({ maxLength: 50 }) },
            { requiredKeys: [] },
          ),
          status: fc.constantFrom("draft", "pending_approval", "cancelled"),
        },
        { requiredKeys: [] },
      );
      const calendarBody = fc.record(
        {
          title: shortText,
          date,
          time,
          endTime: time,
          room: shortText,
          guestCount: count,
          status: fc.constantFrom("inquiry", "tentative", "confirmed", "cancelled"),
          revenue: fc.integer({ min: 0, max: 1_000_000 }),
          clientName: shortText,
          notes: fc.string({ maxLength: 80 }),
        },
        { requiredKeys: ["title", "date", "time", "room", "guestCount"] },
      );
      const none = fc.constant(undefined);

      type Route = { method: string; path: fc.Arbitrary<string>; body?: fc.Arbitrary<unknown>; query?: string[] };
      const at = (template: string, kind?: keyof typeof ids) =>
        kind ? idOf(kind).map((id) => template.replace(":id", id)) : fc.constant(template);
      const routes: Route[] = [
        { method: "GET", path: at("/healthz") },
        { method: "GET", path: at("/readyz") },
        { method: "GET", path: at("/metrics") },
        {
          method: "POST",
          path: at("/api/auth/login"),
          body: fc.record({
            email: fc.constantFrom("admin@demo.test", "nobody@x.y", "a"),
            password: fc.string({ maxLength: 20 }),
          }),
        },
        { method: "POST", path: at("/api/auth/logout"), body: none },
        { method: "GET", path: at("/api/auth/me") },
        {
          method: "POST",
          path: at("/api/api-keys"),
          body: fc.record({ name: shortText, role: fc.constantFrom("admin", "ops", "chef", "sales", "viewer") }),
        },
        { method: "GET", path: at("/api/api-keys") },
        { method: "DELETE", path: at("/api/api-keys/:id", "notification") },
        { method: "GET", path: at("/api/rooms") },
        {
          method: "POST",
          path: at("/api/rooms"),
          body: fc.record({ name: shortText, capacity: count, combinesWith: fc.array(shortText, { maxLength: 3 }) }),
        },
        {
          method: "GET",
          path: at("/api/calendar/events"),
          query: ["from", "to", "q", "room", "source", "status", "limit"],
        },
        { method: "POST", path: at("/api/calendar/events"), body: calendarBody },
        { method: "GET", path: at("/api/calendar/events/:id", "calendar") },
        {
          method: "PATCH",
          path: at("/api/calendar/events/:id", "calendar"),
          body: calendarBody.map((b) => Object.fromEntries(Object.entries(b).slice(0, 2))),
        },
        {
          method: "POST",
          path: at("/api/beos"),
          body: fc.oneof(
            fc.record({ calendarEventId: fc.constantFrom(...ids.calendar) }),
            fc.record({
              header: fc.record({ eventName: shortText }),
              event: fc.record({ date, time, room: shortText, guaranteed: count }),
            }),
          ),
        },
        { method: "GET", path: at("/api/beos"), query: ["date", "status", "echoEventId", "limit", "cursor"] },
        { method: "GET", path: at("/api/beos/:id", "beo") },
        { method: "PATCH", path: at("/api/beos/:id", "beo"), body: beoPatch },
        { method: "POST", path: at("/api/beos/:id/approve", "beo"), body: none },
        { method: "POST", path: at("/api/beos/:id/cancel", "beo"), body: none },
        { method: "GET", path: at("/api/beos/:id/revisions", "beo") },
        { method: "GET", path: at("/api/beos/:id/pdf", "beo") },
        { method: "GET", path: at("/api/notifications") },
        { method: "POST", path: at("/api/notifications/:id/read", "notification"), body: none },
        { method: "POST", path: at("/api/notifications/read-all"), body: none },
        { method: "POST", path: at(`${P}/initialize`), body: config },
        { method: "GET", path: at(`${P}/config`) },
        {
          method: "PATCH",
          path: at(`${P}/config`),
          body: config.map((c) =>
            Object.fromEntries(
              Object.entries(c)
                .filter(([k]) => k !== "organizationId")
                .slice(0, 3),
            ),
          ),
        },
        { method: "GET", path: at(`${P}/status`) },
        {
          method: "POST",
          path: at(`${P}/sync`),
          body: fc.record(
            { direction: fc.constantFrom("echo_to_maestro", "maestro_to_echo", "bidirectional"), full: fc.boolean() },
            { requiredKeys: [] },
          ),
        },
        { method: "GET", path: at(`${P}/history`), query: ["limit", "cursor", "status", "echoEventId"] },
        { method: "GET", path: at(`${P}/conflicts`), query: ["status"] },
        {
          method: "POST",
          path: at(`${P}/conflicts/:id/resolve`, "notification"),
          body: fc.record(
            {
              resolution: fc.constantFrom("echo", "maestro", "custom"),
              values: fc.dictionary(fc.constantFrom("guaranteed", "room", "eventName"), fuzzValue),
            },
            { requiredKeys: ["resolution"] },
          ),
        },
        { method: "GET", path: at(`${P}/echo-events`), query: ["q"] },
        { method: "POST", path: at(`${P}/echo-events/:id/beo`, "echo"), body: none },
        {
          method: "POST",
          path: at(`${P}/webhooks/maestro`),
          body: fc.record({
            beoId: fc.constantFrom(...ids.beo, "beo_missing"),
            type: fc.constantFrom("beo.created", "beo.updated", "beo.approved"),
          }),
        },
        { method: "GET", path: at(`${P}/jobs/failed`) },
        { method: "POST", path: at(`${P}/jobs/:id/replay`, "notification"), body: none },
        { method: "GET", path: at(`${P}/metrics/summary`) },
        { method: "GET", path: at(`${P}/audit-log`) },
        // Unknown routes and methods.
        { method: "PUT", path: at("/api/beos/:id", "beo"), body: beoPatch },
        { method: "DELETE", path: at("/api/calendar/events/:id", "calendar") },
        { method: "GET", path: fc.string({ maxLength: 40 }).map((s) => `/api/${encode(s)}`) },
      ];

      const headerSafe = (s: string) => s.replace(/[^\t\x20-\x7e\x80-\xff]/g, "");
      const keys = kit.maestro.keys;
      const auth = fc.oneof(
        { weight: 8, arbitrary: fc.constant(`Bearer ${keys.admin}`) },
        {
          weight: 3,
          arbitrary: fc.constantFrom(keys.ops, keys.chef, keys.sales, keys.viewer).map((k) => `Bearer ${k}`),
        },
        {
          weight: 2,
          arbitrary: fc.constantFrom(
            undefined,
            "",
            "Bearer",
            "Bearer ",
            "Basic YWRtaW46YWRtaW4=",
            `bearer ${keys.admin}`,
            `Bearer  ${keys.admin} `,
            `Bearer ${keys.admin}x`,
            `Bearer ${"x".repeat(3000)}`,
            "Bearer \u00ff\u00fe",
            `Bearer ${keys.admin.slice(0, -1)}`,
          ),
        },
        { weight: 1, arbitrary: fc.string({ maxLength: 60 }).map((s) => `Bearer ${headerSafe(s)}`) },
      );
      const contentType = fc.oneof(
        { weight: 8, arbitrary: fc.constant("application/json") },
        {
          weight: 3,
          arbitrary: fc.constantFrom(
            "application/json; charset=utf-8",
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/octet-stream",
            "application/json; charset=utf-16le",
            "APPLICATION/JSON",
            "application/vnd.api+json",
            "",
            "*/*",
            "application/json; charset=latin1",
            "text/html",
            "application/xml",
          ),
        },
        { weight: 1, arbitrary: fc.string({ maxLength: 30 }).map(headerSafe) },
      );
      const ifMatch = fc.oneof(
        { weight: 6, arbitrary: fc.constant(undefined) },
        {
          weight: 2,
          arbitrary: fc.integer({ min: 0, max: 30 }).chain((n) => fc.constantFrom(String(n), `"${n}"`, `W/"${n}"`)),
        },
        {
          weight: 2,
          arbitrary: fc.constantFrom(
            "*",
            "",
            "abc",
            "99999999999",
            "-1",
            "1.5",
            "1, 2",
            '"',
            'W/"',
            "0x1",
            "1e3",
            " 1 ",
            "\u00ff",
          ),
        },
      );
      const extraHeaders = fc.dictionary(
        fc.constantFrom(
          "x-csrf-token",
          "cookie",
          "accept",
          "x-forwarded-for",
          "origin",
          "accept-encoding",
          "x-http-method-override",
        ),
        fc.oneof(
          fc.constantFrom("maestro_session=garbage", "*/*", "gzip, br", "PATCH", "1.2.3.4", "null"),
          fc.string({ maxLength: 40 }).map(headerSafe),
        ),
        { maxKeys: 2 },
      );
      const queryOf = (known: string[] = []) =>
        fc.oneof(
          { weight: 2, arbitrary: fc.constant("") },
          {
            weight: 4,
            arbitrary: fc
              .array(
                fc.tuple(
                  fc.constantFrom(...known, "__proto__", "constructor", "limit", "cursor", "extra", "a[b]"),
                  fc.oneof(
                    fuzzValue.map((v) => (typeof v === "string" ? v : (JSON.stringify(v) ?? ""))),
                    date,
                  ),
                ),
                { maxLength: 4 },
              )
              .map((pairs) =>
                pairs.length
                  ? `?${new URLSearchParams(pairs.map(([k, v]): [string, string] => [k, String(v).slice(0, 2000)])).toString()}`
                  : "",
              ),
          },
          {
            weight: 1,
            arbitrary: fc.constantFrom(
              "?%",
              "?%ZZ=1",
              "?a=%E0%A4%A",
              "?&&&",
              "?=",
              "?limit=1&limit=2",
              "?limit=-1",
              "?limit=1e999",
              "?limit=0x10",
              "?from=2027-01-01&to=2026-01-01",
              `?q=${"q".repeat(5000)}`,
              "?cursor=%00",
            ),
          },
        );
      const bodyFor = (route: Route) =>
        fc.oneof(
          {
            weight: 5,
            arbitrary: mutate(route.body ?? fc.constant({})).map((v) =>
              v === undefined ? undefined : JSON.stringify(v),
            ),
          },
          { weight: 2, arbitrary: fuzzValue.map((v) => JSON.stringify(v) ?? "null") },
          { weight: 2, arbitrary: malformedJson },
          {
            weight: 1,
            arbitrary: fc.constantFrom(undefined, "", JSON.stringify({ pad: "x".repeat(1024 * 1024 + 10) })),
          },
          { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 100 }) },
        );
      const request = fc.constantFrom(...routes).chain((route) =>
        fc.record({
          method: fc.constant(route.method),
          path: route.path,
          query:
            route.method === "GET"
              ? queryOf(route.query)
              : fc.oneof({ weight: 4, arbitrary: fc.constant("") }, { weight: 1, arbitrary: queryOf() }),
          body: route.method === "GET" ? fc.constant(undefined) : bodyFor(route),
          auth,
          contentType,
          ifMatch,
          extra: extraHeaders,
        }),
      );

      await fc.assert(
        fc.asyncProperty(request, async ({ method, path, query, body, auth, contentType, ifMatch, extra }) => {
          const headers: Record<string, string> = { ...extra };
          if (auth !== undefined) headers.authorization = auth;
          if (body !== undefined && contentType) headers["content-type"] = contentType;
          if (ifMatch !== undefined) headers["if-match"] = ifMatch;
          const req: Sent = { method, path: path + query, headers, body };
          const before = await fingerprint();
          const res = await send(req);
          checkAnswer(req, res);
          if (res.status >= 400) {
            const after = await fingerprint();
            expect(changed(before, after), `stored by a rejected request:\n${describeRequest(req, res)}`).toEqual([]);
          }
        }),
        {
          numRuns: ROUTE_RUNS,
          ...(SEED !== undefined ? { seed: SEED } : {}),
          // Always tried: NUL in a path parameter, a query value and a body (PostgreSQL text cannot hold it).
          examples: [
            [
              {
                method: "GET",
                path: `/api/beos/%00/revisions`,
                query: "",
                body: undefined,
                auth: `Bearer ${keys.admin}`,
                contentType: "application/json",
                ifMatch: undefined,
                extra: {},
              },
            ],
            [
              {
                method: "GET",
                path: "/api/calendar/events",
                query: "?q=a%00b",
                body: undefined,
                auth: `Bearer ${keys.admin}`,
                contentType: "application/json",
                ifMatch: undefined,
                extra: {},
              },
            ],
            [
              {
                method: "POST",
                path: "/api/calendar/events",
                query: "",
                body: JSON.stringify({
                  title: "a\u0000b",
                  date: "2027-01-01",
                  time: "10:00",
                  room: "Salon",
                  guestCount: 1,
                }),
                auth: `Bearer ${keys.admin}`,
                contentType: "application/json",
                ifMatch: undefined,
                extra: {},
              },
            ],
            [
              {
                method: "PATCH",
                path: `/api/beos/${ids.beo[0]}`,
                query: "",
                body: JSON.stringify({ menu: { items: [{ name: "soup", dietary: ["\u0000"] }] } }),
                auth: `Bearer ${keys.admin}`,
                contentType: "application/json",
                ifMatch: undefined,
                extra: {},
              },
            ],
            // A body nested thousands of levels deep (no recursion may overflow on it).
            [
              {
                method: "POST",
                path: "/api/api-keys",
                query: "",
                body: `${"[".repeat(20_000)}${"]".repeat(20_000)}`,
                auth: `Bearer ${keys.admin}`,
                contentType: "application/json",
                ifMatch: undefined,
                extra: {},
              },
            ],
            [
              {
                method: "PATCH",
                path: `/api/beos/${ids.beo[0]}`,
                query: "",
                body: `{"menu":${'{"a":'.repeat(20_000)}1${"}".repeat(20_000)}}`,
                auth: `Bearer ${keys.admin}`,
                contentType: "application/json",
                ifMatch: undefined,
                extra: {},
              },
            ],
            // What Fastify refuses before routing: a malformed %-escape, an over-long path parameter.
            [
              {
                method: "GET",
                path: "/api/beos/%E0%A4%A",
                query: "",
                body: undefined,
                auth: `Bearer ${keys.admin}`,
                contentType: "application/json",
                ifMatch: undefined,
                extra: {},
              },
            ],
            [
              {
                method: "GET",
                path: `/api/beos/${"b".repeat(101)}`,
                query: "",
                body: undefined,
                auth: `Bearer ${keys.admin}`,
                contentType: "application/json",
                ifMatch: undefined,
                extra: {},
              },
            ],
            // The login route's own rate limit (10 a minute per caller): the 11th answer is a 429 with the error shape.
            ...Array.from(
              { length: 11 },
              (_, i) =>
                [
                  {
                    method: "POST",
                    path: "/api/auth/login",
                    query: "",
                    body: JSON.stringify({ email: `nobody${i}@example.com`, password: "wrong" }),
                    auth: "Bearer fuzz-login-caller",
                    contentType: "application/json",
                    ifMatch: undefined,
                    extra: {},
                  },
                ] as [
                  {
                    method: string;
                    path: string;
                    query: string;
                    body: string | undefined;
                    auth: string | undefined;
                    contentType: string;
                    ifMatch: string | undefined;
                    extra: Record<string, string>;
                  },
                ],
            ),
          ],
        },
      );
    },
    120_000 + RUNS * 120,
  );

  it("still answers, polluted no prototype, and runs whatever was accepted", async () => {
    const health = await fetch(`${kit.maestro.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // The jobs the accepted requests queued (deliveries, pushes, syncs) run to an end:
    // done, or parked as failed with the reason on record. None stays stuck.
    kit.maestro.maestro.integration.worker?.start();
    await settle(kit, 60_000);
    const failed = await kit.maestro.maestro.integration.jobs.listFailed(kit.maestro.orgId);
    if (failed.length)
      console.log(
        `fuzz: ${failed.length} accepted job(s) parked as failed, e.g. ${failed
          .slice(0, 3)
          .map((j) => `${j.kind}: ${j.lastError}`)
          .join(" | ")}`,
      );
    expect((await fetch(`${kit.maestro.url}/healthz`)).status).toBe(200);
  }, 90_000);
});
