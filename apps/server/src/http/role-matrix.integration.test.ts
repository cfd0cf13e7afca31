import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Role } from "@maestro/shared/maestro.schema";
import {
  SANDBOX_KEY,
  settle,
  startSyncKit,
  waitFor,
  weddingEvent,
  WEBHOOK_SECRET,
  type SyncKit,
} from "../testing/sync-test-kit.ts";
import {
  calendarFor,
  createSignedEchoEvent,
  ECHO_WEBHOOK_PATH,
  makeManualConflict,
} from "../testing/security-test-helpers.ts";
import { apiClient } from "../testing/test-server.ts";

// Issue 5 acceptance — every integration route × every role → the expected 2xx or
// 403 (CONTRACT §3: only admin initializes/reconfigures; ops or admin resolve
// conflicts; only chef or admin approve BEOs); cross-organization access → 404.

const ROLES: readonly Role[] = ["admin", "ops", "chef", "sales", "viewer"];
const ALL = ROLES;
const MANAGERS: readonly Role[] = ["admin", "ops"];
const P = "/api/echo-integration";

type Call = { method: string; url: string; body?: unknown };
type Res = Awaited<ReturnType<ReturnType<typeof apiClient>>>;

describe("role matrix", () => {
  let kit: SyncKit;
  const client = (role: Role) => apiClient(kit.maestro.url, kit.maestro.keys[role]);

  // Fixtures: one per allowed role where a call consumes its target.
  let beoForApproval: Record<"admin" | "chef", string>;
  let conflictFor: Record<"admin" | "ops", string>;
  let failedJobFor: Record<"admin" | "ops", string>;
  let unlinkedEchoId: string;
  let linkedBeoId: string;
  let initConfig: Record<string, unknown>;

  async function failedJob(): Promise<string> {
    const jobs = kit.maestro.maestro.integration.jobs;
    // A job whose payload cannot be valid fails for good at its first attempt.
    const id = await jobs.enqueue(
      kit.maestro.orgId,
      "push",
      `evt_matrix_${Math.random().toString(36).slice(2)}`,
      { bogus: true },
      undefined,
      { maxAttempts: 1 },
    );
    kit.maestro.maestro.integration.nudge();
    await waitFor(`job ${id} to fail`, async () => (await jobs.listFailed(kit.maestro.orgId)).some((j) => j.id === id));
    return id;
  }

  beforeAll(async () => {
    kit = await startSyncKit({ policy: "manual" });
    initConfig = {
      organizationId: "demo",
      echoCrmApiUrl: `${kit.sandbox.url}/v1`,
      echoCrmApiKey: SANDBOX_KEY,
      maestroApiUrl: kit.maestro.url,
      maestroApiKey: kit.maestro.keys.ops,
      webhookSecret: WEBHOOK_SECRET,
      syncDirection: "bidirectional",
      autoSync: false,
      syncInterval: 15,
      conflictResolution: "manual",
    };
    const a = await createSignedEchoEvent(kit, { eventName: "Matrix Approval A" });
    const b = await createSignedEchoEvent(kit, { eventName: "Matrix Approval B" });
    beoForApproval = { chef: a.beoId, admin: b.beoId };
    linkedBeoId = a.beoId;
    const c1 = await makeManualConflict(kit, "Matrix Conflict 1");
    const c2 = await makeManualConflict(kit, "Matrix Conflict 2");
    conflictFor = { ops: c1.conflictId, admin: c2.conflictId };
    const unsigned = await kit.echo("POST", "/v1/events", {
      ...weddingEvent,
      eventName: "Matrix Unsigned Inquiry",
      contractStatus: "inquiry",
    });
    unlinkedEchoId = unsigned.body.id;
    await waitFor("unsigned import", () => calendarFor(kit, unlinkedEchoId));
    failedJobFor = { ops: await failedJob(), admin: await failedJob() };
    await settle(kit);
  });
  afterAll(async () => kit?.stop());

  // Each route: who may call it, and how a permitted call is made and judged.
  type Spec = {
    name: string;
    allowed: readonly Role[];
    call: (role: Role) => Call;
    expectAllowed?: (res: Res, role: Role) => void;
  };
  const ok = (status: number) => (res: Res, role: Role) =>
    expect(res.status, `${role}: ${JSON.stringify(res.body)}`).toBe(status);
  const specs = (): Spec[] => [
    {
      name: "POST /initialize",
      allowed: ["admin"],
      call: () => ({ method: "POST", url: `${P}/initialize`, body: initConfig }),
      expectAllowed: ok(200),
    },
    {
      name: "GET /config",
      allowed: MANAGERS,
      call: () => ({ method: "GET", url: `${P}/config` }),
      expectAllowed: ok(200),
    },
    {
      name: "PATCH /config",
      allowed: ["admin"],
      call: () => ({ method: "PATCH", url: `${P}/config`, body: { conflictResolution: "manual" } }),
      expectAllowed: ok(200),
    },
    { name: "GET /status", allowed: ALL, call: () => ({ method: "GET", url: `${P}/status` }), expectAllowed: ok(200) },
    {
      name: "POST /sync",
      allowed: MANAGERS,
      call: () => ({ method: "POST", url: `${P}/sync`, body: {} }),
      expectAllowed: ok(202),
    },
    {
      name: "GET /history",
      allowed: ALL,
      call: () => ({ method: "GET", url: `${P}/history?limit=10` }),
      expectAllowed: ok(200),
    },
    {
      name: "GET /conflicts",
      allowed: ALL,
      call: () => ({ method: "GET", url: `${P}/conflicts?status=open` }),
      expectAllowed: ok(200),
    },
    {
      name: "POST /conflicts/:id/resolve",
      allowed: MANAGERS,
      call: (role) => ({
        method: "POST",
        url: `${P}/conflicts/${conflictFor[role as "admin" | "ops"] ?? conflictFor.ops}/resolve`,
        body: { resolution: "echo" },
      }),
      expectAllowed: (res, role) => {
        ok(200)(res, role);
        expect(res.body).toMatchObject({ status: "resolved", resolution: expect.anything() });
      },
    },
    {
      name: "GET /echo-events",
      allowed: ALL,
      call: () => ({ method: "GET", url: `${P}/echo-events` }),
      expectAllowed: ok(200),
    },
    {
      name: "POST /echo-events/:echoEventId/beo",
      allowed: MANAGERS,
      call: () => ({ method: "POST", url: `${P}/echo-events/${unlinkedEchoId}/beo` }),
      // The first permitted call creates the BEO (201), the next returns it (200).
      expectAllowed: (res, role) => expect([200, 201], `${role}: ${JSON.stringify(res.body)}`).toContain(res.status),
    },
    {
      name: "POST /webhooks/maestro",
      allowed: MANAGERS,
      call: () => ({ method: "POST", url: `${P}/webhooks/maestro`, body: { beoId: linkedBeoId, type: "beo.updated" } }),
      expectAllowed: ok(202),
    },
    {
      name: "GET /jobs/failed",
      allowed: MANAGERS,
      call: () => ({ method: "GET", url: `${P}/jobs/failed` }),
      expectAllowed: ok(200),
    },
    {
      name: "POST /jobs/:id/replay",
      allowed: MANAGERS,
      call: (role) => ({
        method: "POST",
        url: `${P}/jobs/${failedJobFor[role as "admin" | "ops"] ?? failedJobFor.ops}/replay`,
      }),
      expectAllowed: ok(202),
    },
    {
      name: "GET /metrics/summary",
      allowed: ALL,
      call: () => ({ method: "GET", url: `${P}/metrics/summary` }),
      expectAllowed: ok(200),
    },
    {
      name: "GET /audit-log",
      allowed: ["admin"],
      call: () => ({ method: "GET", url: `${P}/audit-log` }),
      expectAllowed: ok(200),
    },
    // BEO routes.
    { name: "GET /api/beos", allowed: ALL, call: () => ({ method: "GET", url: "/api/beos" }), expectAllowed: ok(200) },
    {
      name: "GET /api/beos/:id",
      allowed: ALL,
      call: () => ({ method: "GET", url: `/api/beos/${linkedBeoId}` }),
      expectAllowed: ok(200),
    },
    {
      name: "GET /api/beos/:id/revisions",
      allowed: ALL,
      call: () => ({ method: "GET", url: `/api/beos/${linkedBeoId}/revisions` }),
      expectAllowed: ok(200),
    },
    {
      name: "PATCH /api/beos/:id",
      allowed: ["admin", "ops", "chef"],
      call: (role) => ({
        method: "PATCH",
        url: `/api/beos/${beoForApproval.admin}`,
        body: { menu: { specialInstructions: `edited by ${role}` } },
      }),
      expectAllowed: ok(200),
    },
    {
      name: "POST /api/beos/:id/approve",
      allowed: ["admin", "chef"],
      call: (role) => ({
        method: "POST",
        url: `/api/beos/${beoForApproval[role as "admin" | "chef"] ?? beoForApproval.chef}/approve`,
      }),
      expectAllowed: (res, role) => {
        ok(200)(res, role);
        expect(res.body.status).toBe("approved");
      },
    },
  ];

  it("answers 403 with the error shape to every role a route does not allow, with no effect", async () => {
    const refused: string[] = [];
    for (const spec of specs()) {
      for (const role of ROLES.filter((r) => !spec.allowed.includes(r))) {
        const c = spec.call(role);
        const res = await client(role)(c.method, c.url, c.body);
        expect(res.status, `${role} ${spec.name}: ${JSON.stringify(res.body)}`).toBe(403);
        expect(res.body).toMatchObject({ error: { code: "forbidden", message: expect.any(String) } });
        refused.push(`${role} ${spec.name}`);
      }
    }
    expect(refused.length).toBeGreaterThan(30);
    // Nothing happened: the conflicts are still open, the BEOs still unapproved, the jobs still failed.
    const open = (await kit.admin("GET", `${P}/conflicts?status=open`)).body.data.map((c: any) => c.id);
    expect(open).toEqual(expect.arrayContaining([conflictFor.ops, conflictFor.admin]));
    for (const id of Object.values(beoForApproval))
      expect((await kit.admin("GET", `/api/beos/${id}`)).body.status).not.toBe("approved");
    const failed = (await kit.maestro.maestro.integration.jobs.listFailed(kit.maestro.orgId)).map((j) => j.id);
    expect(failed).toEqual(expect.arrayContaining(Object.values(failedJobFor)));
    expect((await kit.admin("GET", "/api/beos?echoEventId=" + unlinkedEchoId)).body.data).toHaveLength(0);
  });

  it("lets every allowed role through (2xx)", async () => {
    for (const spec of specs()) {
      for (const role of spec.allowed) {
        const c = spec.call(role);
        const res = await client(role)(c.method, c.url, c.body);
        expect(res.status, `${role} ${spec.name}`).not.toBe(403);
        (spec.expectAllowed ?? ok(200))(res, role);
      }
    }
    await settle(kit);
    // The permitted calls had their effect.
    expect((await kit.admin("GET", "/api/beos?echoEventId=" + unlinkedEchoId)).body.data).toHaveLength(1);
    const audit = (await kit.admin("GET", `${P}/audit-log`)).body.data.map((e: any) => e.action);
    expect(audit).toEqual(
      expect.arrayContaining(["integration.reconfigured", "integration.config_changed", "sync.job_replayed"]),
    );
  });

  it("answers 401 to requests without credentials, and the webhook receiver ignores API keys", async () => {
    const anonymous = apiClient(kit.maestro.url);
    for (const spec of specs()) {
      const c = spec.call("admin");
      const res = await anonymous(c.method, c.url, c.body);
      expect(res.status, spec.name).toBe(401);
      expect(res.body.error.code).toBe("unauthenticated");
    }
    // The Echo receiver authenticates by signature only: an API key of any role is not enough.
    for (const role of ROLES) {
      const res = await client(role)("POST", ECHO_WEBHOOK_PATH, {
        id: "evt_x",
        type: "event.created",
        createdAt: new Date().toISOString(),
        data: {},
      });
      expect(res.status, role).toBe(401);
      expect(res.body.error.code).toBe("invalid_signature");
    }
  });
});

describe("cross-organization isolation", () => {
  let kit: SyncKit;
  let rival: ReturnType<typeof apiClient>;
  let mine: { echoId: string; beoId: string; conflictId: string; failedJobId: string; opIds: string[] };

  beforeAll(async () => {
    kit = await startSyncKit({ policy: "manual" });
    const conflict = await makeManualConflict(kit, "Isolation Conflict");
    const jobs = kit.maestro.maestro.integration.jobs;
    const failedJobId = await jobs.enqueue(kit.maestro.orgId, "push", "evt_isolation", { bogus: true }, undefined, {
      maxAttempts: 1,
    });
    kit.maestro.maestro.integration.nudge();
    await waitFor("failed job", async () =>
      (await jobs.listFailed(kit.maestro.orgId)).some((j) => j.id === failedJobId),
    );
    await settle(kit);
    const history = await kit.admin("GET", `${P}/history?limit=500`);
    mine = {
      echoId: conflict.echoId,
      beoId: conflict.beoId,
      conflictId: conflict.conflictId,
      failedJobId,
      opIds: history.body.data.map((o: any) => o.id),
    };
    expect(mine.opIds.length).toBeGreaterThan(0);
    // A second organization on the same server, with its own admin.
    const services = kit.maestro.maestro.services;
    const org = await services.orgs.ensure("rival-hotel", "Rival Hotel");
    rival = apiClient(kit.maestro.url, (await services.auth.createApiKey(org.id, "rival admin", "admin", "test")).key);
  });
  afterAll(async () => kit?.stop());

  it("answers 404 to another organization's admin for this organization's BEO, conflict, Echo event and job", async () => {
    const attempts: Call[] = [
      { method: "GET", url: `/api/beos/${mine.beoId}` },
      { method: "PATCH", url: `/api/beos/${mine.beoId}`, body: { event: { guaranteed: 1 } } },
      { method: "POST", url: `/api/beos/${mine.beoId}/approve` },
      { method: "GET", url: `/api/beos/${mine.beoId}/revisions` },
      { method: "GET", url: `/api/beos/${mine.beoId}/pdf` },
      { method: "POST", url: `${P}/conflicts/${mine.conflictId}/resolve`, body: { resolution: "maestro" } },
      { method: "POST", url: `${P}/echo-events/${mine.echoId}/beo` },
      { method: "POST", url: `${P}/webhooks/maestro`, body: { beoId: mine.beoId, type: "beo.updated" } },
      { method: "POST", url: `${P}/jobs/${mine.failedJobId}/replay` },
    ];
    for (const c of attempts) {
      const res = await rival(c.method, c.url, c.body);
      expect(res.status, `${c.method} ${c.url}: ${JSON.stringify(res.body)}`).toBe(404);
      expect(res.body.error.code).toBe("not_found");
    }
    // Untouched.
    const conflict = (await kit.admin("GET", `${P}/conflicts?status=open`)).body.data.find(
      (c: any) => c.id === mine.conflictId,
    );
    expect(conflict?.status).toBe("open");
    const beo = await kit.admin("GET", `/api/beos/${mine.beoId}`);
    expect(beo.body.status).not.toBe("approved");
    expect(beo.body.event.guaranteed).not.toBe(1);
    expect((await kit.maestro.maestro.integration.jobs.listFailed(kit.maestro.orgId)).map((j) => j.id)).toContain(
      mine.failedJobId,
    );
  });

  it("shows another organization none of this organization's history, conflicts, events, BEOs, jobs or audit log", async () => {
    const history = await rival("GET", `${P}/history?limit=500`);
    expect(history.status).toBe(200);
    expect(history.body.data.filter((o: any) => mine.opIds.includes(o.id))).toEqual([]);
    expect(history.body.data).toEqual([]);
    expect((await rival("GET", `${P}/history?echoEventId=${mine.echoId}`)).body.data).toEqual([]);
    expect((await rival("GET", `${P}/conflicts`)).body.data).toEqual([]);
    expect((await rival("GET", `${P}/echo-events`)).body.data).toEqual([]);
    expect((await rival("GET", `${P}/jobs/failed`)).body.data).toEqual([]);
    expect((await rival("GET", "/api/beos")).body.data).toEqual([]);
    expect((await rival("GET", `/api/beos?echoEventId=${mine.echoId}`)).body.data).toEqual([]);
    expect(
      (await rival("GET", `/api/calendar/events?from=2020-01-01&to=2035-12-31&q=${mine.echoId}`)).body.data,
    ).toEqual([]);
    expect((await rival("GET", `${P}/audit-log`)).body.data).toEqual([]);
    const status = await rival("GET", `${P}/status`);
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ enabled: false, counts: { synced: 0, conflicts: 0 } });
    expect((await rival("GET", `${P}/config`)).status).toBe(404);
  });

  it("does not let another organization's admin initialize this organization's integration", async () => {
    const res = await rival("POST", `${P}/initialize`, {
      organizationId: "demo",
      echoCrmApiUrl: `${kit.sandbox.url}/v1`,
      echoCrmApiKey: SANDBOX_KEY,
      maestroApiUrl: kit.maestro.url,
      maestroApiKey: "rival-key-0123456789",
      webhookSecret: "rival-secret-0123456789",
      syncDirection: "bidirectional",
      autoSync: false,
      syncInterval: 15,
      conflictResolution: "echo_wins",
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/organizationId/);
    expect((await kit.admin("GET", `${P}/config`)).body.conflictResolution).toBe("manual");
  });
});
