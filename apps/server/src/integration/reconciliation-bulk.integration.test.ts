import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { EchoCRMEvent } from "@maestro/shared/echo-event.schema";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { startEchoSandbox, type EchoSandbox } from "../../../echo-sandbox/src/sandbox-server.ts";
import { openDatabase, type DatabaseHandle } from "../db/database.ts";
import type { Db } from "../db/schema.ts";
import { SANDBOX_KEY, WEBHOOK_SECRET, weddingEvent } from "../testing/sync-test-kit.ts";
import { apiClient, startTestMaestro, type TestMaestro } from "../testing/test-server.ts";
import type { OrgIntegration } from "./integration-runtime.ts";

// A first reconciliation imports the events Maestro has never seen in bulk (one
// statement per table and page); everything else goes through the per-event merge.
// The bulk path must leave exactly what the per-event path leaves.

type Idle = {
  m: TestMaestro;
  admin: ReturnType<typeof apiClient>;
  integration: OrgIntegration;
  // A second handle on the same store, for reading tables the API does not show.
  database: DatabaseHandle;
  stop(): Promise<void>;
};

// Maestro with its worker and scheduler off, connected to the sandbox: the test
// runs reconciliations and merges itself, and queued jobs stay queued.
async function startIdleMaestro(sandbox: EchoSandbox): Promise<Idle> {
  const m = await startTestMaestro({
    secretKey: "test-secret-key-0123456789abcdef",
    allowedHosts: [`127.0.0.1:${sandbox.port}`],
    runWorker: false,
  });
  const admin = apiClient(m.url, m.adminKey);
  const init = await admin("POST", "/api/echo-integration/initialize", {
    organizationId: "demo",
    echoCrmApiUrl: `${sandbox.url}/v1`,
    echoCrmApiKey: SANDBOX_KEY,
    maestroApiUrl: m.url,
    maestroApiKey: m.keys.ops,
    webhookSecret: WEBHOOK_SECRET,
    syncDirection: "bidirectional",
    autoSync: false,
    syncInterval: 15,
    conflictResolution: "newest_wins",
  });
  if (init.status !== 200) throw new Error(`initialize failed: ${JSON.stringify(init.body)}`);
  const integration = (await m.maestro.integration.runtime.get(m.orgId))!;
  const database = await openDatabase({
    dataDir: m.db.dataDir,
    ...(m.db.databaseUrl ? { databaseUrl: m.db.databaseUrl } : {}),
    ...(m.db.schema ? { schema: m.db.schema } : {}),
  });
  return {
    m,
    admin,
    integration,
    database,
    async stop() {
      await database.close();
      await m.stop();
    },
  };
}

async function startSandbox() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "echo-sandbox-"));
  const sandbox = await startEchoSandbox({ dataDir, apiKey: SANDBOX_KEY, logLevel: "silent", port: 0 });
  return {
    sandbox,
    echo: apiClient(sandbox.url, SANDBOX_KEY),
    async stop() {
      await sandbox.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function allEchoEvents(integration: OrgIntegration): Promise<EchoCRMEvent[]> {
  const events: EchoCRMEvent[] = [];
  let cursor: string | undefined;
  do {
    const page = await integration.client.listEvents({ ...(cursor ? { cursor } : {}), limit: 200 });
    events.push(...page.data);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return events;
}

const byKey = <T>(rows: T[], key: (r: T) => string) => [...rows].sort((a, b) => key(a).localeCompare(key(b)));

// Row fields that differ between two stores whatever was imported: generated ids and times.
function withoutStoreFields<T extends Record<string, unknown>>(row: T, ...fields: (keyof T)[]) {
  const copy: Record<string, unknown> = { ...row };
  for (const f of ["orgId", ...fields]) delete copy[f as string];
  return copy as Omit<T, "orgId">;
}

// Everything an import writes, with generated ids and times replaced by the Echo
// event they belong to, so that two stores can be compared.
async function importedState(db: Db, orgId: string) {
  const calendar = await db.selectFrom("calendarEvents").selectAll().where("orgId", "=", orgId).execute();
  const beos = await db.selectFrom("beos").selectAll().where("orgId", "=", orgId).execute();
  const echoOfCalendar = new Map(calendar.map((c) => [c.id, c.echoEventId ?? c.id]));
  const echoOfBeo = new Map(beos.map((b) => [b.id, b.echoEventId ?? b.id]));
  const beoLabel = (id: string | null) => (id === null ? null : `beo of ${echoOfBeo.get(id) ?? "?"}`);
  const links = await db.selectFrom("syncLinks").selectAll().where("orgId", "=", orgId).execute();
  const revisions = await db.selectFrom("beoRevisions").selectAll().where("orgId", "=", orgId).execute();
  const operations = await db
    .selectFrom("syncOperations")
    .selectAll()
    .where("orgId", "=", orgId)
    .where("echoEventId", "is not", null)
    .execute();
  const notifications = await db.selectFrom("notifications").selectAll().where("orgId", "=", orgId).execute();
  const jobs = await db
    .selectFrom("syncJobs")
    .selectAll()
    .where("orgId", "=", orgId)
    .where("kind", "!=", "reconcile")
    .orderBy("seq")
    .execute();
  const org = await db.selectFrom("organizations").select("beoSeq").where("id", "=", orgId).executeTakeFirstOrThrow();
  return {
    calendar: byKey(calendar, (c) => c.echoEventId ?? c.id).map((c) => ({
      ...withoutStoreFields(c, "id", "createdAt", "updatedAt"),
      beoId: beoLabel(c.beoId),
    })),
    links: byKey(links, (l) => l.echoEventId).map((l) => ({
      ...withoutStoreFields(l, "updatedAt"),
      calendarEventId: echoOfCalendar.get(l.calendarEventId),
      base: JSON.parse(l.base) as unknown,
    })),
    beos: byKey(beos, (b) => b.echoEventId ?? b.id).map((b) => ({
      ...withoutStoreFields(b, "id", "createdAt", "updatedAt"),
      calendarEventId: echoOfCalendar.get(b.calendarEventId),
      doc: JSON.parse(b.doc) as unknown,
    })),
    revisions: byKey(
      revisions.map((r) => ({ ...withoutStoreFields(r, "id", "at"), beoId: beoLabel(r.beoId) })),
      (r) => `${r.beoId} ${r.version} ${r.field}`,
    ),
    operations: byKey(operations, (o) => o.echoEventId!).map((o) => ({
      ...withoutStoreFields(o, "id", "startedAt", "durationMs"),
      beoId: beoLabel(o.beoId),
      changes: JSON.parse(o.changes) as unknown,
    })),
    notifications: byKey(
      notifications.map((n) => ({
        ...withoutStoreFields(n, "id", "createdAt"),
        link: n.link?.replace(/beo_[0-9a-f]+/, (id) => beoLabel(id)!) ?? null,
      })),
      (n) => `${n.message} ${n.audience}`,
    ),
    // Queue order matters (per Echo event); ids, times and message ids do not.
    jobs: jobs.map((j) => {
      const payload = JSON.parse(j.payload) as Record<string, unknown>;
      return {
        kind: j.kind,
        orderingKey: j.orderingKey,
        status: j.status,
        payload: {
          ...payload,
          ...(typeof payload.beoId === "string" ? { beoId: beoLabel(payload.beoId) } : {}),
          ...(payload.webhookId ? { webhookId: "msg" } : {}),
        },
      };
    }),
    beoSeq: org.beoSeq,
  };
}

describe("bulk import in a full reconciliation", () => {
  describe("a few hundred seeded Echo events", () => {
    let echo: Awaited<ReturnType<typeof startSandbox>>;
    let bulk: Idle;
    let perEvent: Idle;
    let deleted: string[];
    beforeAll(async () => {
      echo = await startSandbox();
      // Seeded before Maestro registers its webhook endpoint: no deliveries, only the pull.
      const seeded = await echo.echo("POST", "/_sandbox/seed", { count: 450, seed: 7 });
      expect(seeded.status).toBe(201);
      deleted = (seeded.body.ids as string[]).filter((_, i) => i % 90 === 5);
      for (const id of deleted) expect((await echo.echo("DELETE", `/v1/events/${id}`)).status).toBe(200);
      bulk = await startIdleMaestro(echo.sandbox);
      perEvent = await startIdleMaestro(echo.sandbox);
    });
    afterAll(async () => {
      await bulk?.stop();
      await perEvent?.stop();
      await echo?.stop();
    });

    it("leaves the same calendar, links, operations, BEOs, notifications and jobs as merging them one by one", async () => {
      const op = await bulk.m.maestro.integration.reconciliation.run(bulk.integration, {
        full: true,
        trigger: "manual",
      });
      expect(op.reason).toContain(`pulled 450 Echo events (${450 - deleted.length} applied, 0 queued)`);

      const events = await allEchoEvents(perEvent.integration);
      expect(events).toHaveLength(450);
      for (const event of events) {
        await perEvent.m.maestro.integration.engine.applyEchoEvent(perEvent.integration, event, {
          trigger: "manual",
        });
      }

      const imported = await importedState(bulk.database.db, bulk.m.orgId);
      const reference = await importedState(perEvent.database.db, perEvent.m.orgId);
      expect(imported).toEqual(reference);

      // And what that is: one BEO per signed contract, numbered in Echo's order.
      const live = events.filter((e) => !e.deletedAt);
      const signed = live.filter((e) => e.contractStatus === "signed");
      expect(signed.length).toBeGreaterThan(50);
      expect(imported.calendar).toHaveLength(live.length);
      expect(imported.links).toHaveLength(live.length);
      expect(imported.beos.map((b) => b.echoEventId)).toEqual(signed.map((e) => e.id).sort());
      expect(
        [...imported.beos].sort((a, b) => a.beoNumber - b.beoNumber).map((b) => b.echoEventId),
        "BEO numbers follow Echo's order",
      ).toEqual(signed.map((e) => e.id));
      expect(imported.beos.map((b) => b.beoNumber).sort((a, b) => a - b)).toEqual(signed.map((_, i) => 1001 + i));
      expect(imported.notifications.filter((n) => n.kind === "beo.created")).toHaveLength(2 * signed.length);
      expect(imported.jobs.filter((j) => j.kind === "push")).toHaveLength(signed.length);
      expect(imported.jobs.filter((j) => j.kind === "maestro_webhook")).toHaveLength(signed.length);
      expect(imported.operations.filter((o) => o.status === "succeeded")).toHaveLength(live.length);
      expect(imported.operations.filter((o) => o.status === "skipped").map((o) => o.reason)).toEqual(
        deleted.map(() => "deleted in Echo before Maestro knew it"),
      );
      const config = await bulk.m.maestro.integration.configs.get(bulk.m.orgId);
      const newest = events
        .map((e) => e.updatedAt)
        .sort()
        .at(-1)!;
      expect(Date.parse(config!.syncCursor!)).toBe(Date.parse(newest) - bulk.integration.client.clockOffsetMs);
    });

    it("finds bulk-imported events by search", async () => {
      const events = (await allEchoEvents(bulk.integration)).filter((e) => !e.deletedAt);
      for (const event of [events[0]!, events[201]!, events.at(-1)!]) {
        const byId = await bulk.admin("GET", `/api/calendar/events?q=${event.id}`);
        expect(byId.status).toBe(200);
        expect(byId.body.data.map((e: { echoEventId: string }) => e.echoEventId)).toEqual([event.id]);
        // A word of the name (ASCII: SQLite's lower() folds nothing else).
        const term = event.eventName
          .toLowerCase()
          .split(/[^a-z]+/)
          .find((w) => w.length >= 4)!;
        const byName = await bulk.admin("GET", `/api/calendar/events?q=${encodeURIComponent(term)}`);
        expect(byName.body.data.map((e: { echoEventId: string }) => e.echoEventId)).toContain(event.id);
        const expected = events.filter((e) =>
          [e.eventName, e.clientName, e.salesRepName, e.room, e.id].join(" ").toLowerCase().includes(term),
        );
        expect(byName.body.data).toHaveLength(expected.length);
      }
    });

    it("re-queues the push of a Maestro change that never reached Echo, and only that", async () => {
      const { m, integration } = bulk;
      const links = m.maestro.integration.links;
      // Right after the import every base is the calendar's values: the database finds nothing to compare.
      expect(await links.mayDifferFromCalendar(m.orgId, null, 1000)).toEqual([]);
      const events = (await allEchoEvents(integration)).filter((e) => !e.deletedAt);
      const changed = events.find((e) => e.specialRequests.includes("\n")) ?? events[3]!;
      const link = (await links.get(m.orgId, changed.id))!;
      // A change written without its outbox job (as if the push was lost).
      await m.maestro.services.calendarRepo.update(m.orgId, link.calendarEventId, {
        notes: `${changed.specialRequests} "Late" request: ünïcode\tand a tab`,
      });
      const candidates = await links.mayDifferFromCalendar(m.orgId, null, 1000);
      expect(candidates.map((c) => c.link.echoEventId)).toEqual([changed.id]);
      const op = await m.maestro.integration.reconciliation.run(integration, { full: false, trigger: "manual" });
      expect(op.reason).toContain("1 Maestro changes re-queued");
      const pushes = await bulk.database.db
        .selectFrom("syncJobs")
        .select(["orderingKey", "payload"])
        .where("orgId", "=", m.orgId)
        .where("kind", "=", "push")
        .where("orderingKey", "=", changed.id)
        .execute();
      // The import's push for a signed contract's BEO is there too.
      expect(pushes.map((p) => JSON.parse(p.payload))).toContainEqual({ echoEventId: changed.id, trigger: "manual" });
    });
  });

  describe("a page of known, queued, claimed, deleted and new events", () => {
    let echo: Awaited<ReturnType<typeof startSandbox>>;
    let idle: Idle;
    const created: Record<string, EchoCRMEvent> = {};
    let linkedBefore: EchoCRMEvent;
    beforeAll(async () => {
      echo = await startSandbox();
      const create = async (name: string, overrides: Record<string, unknown> = {}) => {
        const res = await echo.echo("POST", "/v1/events", { ...weddingEvent, eventName: name, ...overrides });
        expect(res.status).toBe(201);
        created[name] = res.body as EchoCRMEvent;
      };
      await create("Quillfeather Anniversary Dinner");
      await create("Marigold Foundation Gala", { contractStatus: "signed" });
      await create("Linked Harbor Luncheon");
      await create("Queued Orchard Reception");
      await create("Claimed Summit Breakfast", { contractStatus: "signed" });
      await create("Vanished Vineyard Soiree");
      // Before Maestro is connected: no webhooks for these changes.
      linkedBefore = created["Linked Harbor Luncheon"]!;
      const patched = await echo.echo("PATCH", `/v1/events/${linkedBefore.id}`, { guestCount: { guaranteed: 175 } });
      expect(patched.status).toBe(200);
      expect((await echo.echo("DELETE", `/v1/events/${created["Vanished Vineyard Soiree"]!.id}`)).status).toBe(200);
    });
    afterEach(async () => {
      vi.restoreAllMocks();
      await idle?.stop();
    });
    afterAll(async () => echo?.stop());

    // Maestro already knows one event (at an older version), has a job queued for
    // another, and a calendar event carrying a third's Echo id without a link.
    async function prepare() {
      idle = await startIdleMaestro(echo.sandbox);
      const { m, integration } = idle;
      const known = await m.maestro.integration.engine.applyEchoEvent(integration, linkedBefore, {
        trigger: "manual",
      });
      expect(known.status).toBe("succeeded");
      const queued = created["Queued Orchard Reception"]!;
      await m.maestro.integration.jobs.enqueue(m.orgId, "echo_change", queued.id, {
        event: queued,
        source: "webhook",
      });
      const claimed = created["Claimed Summit Breakfast"]!;
      const now = new Date().toISOString();
      await m.maestro.services.calendarRepo.insert({
        id: "cal_unlinked_claimed",
        orgId: m.orgId,
        title: "Placeholder",
        date: claimed.eventDate,
        time: "09:00",
        endTime: null,
        room: "Library",
        guestCount: 10,
        status: "tentative",
        revenue: null,
        clientName: null,
        salesRepName: null,
        notes: null,
        source: "echo",
        echoEventId: claimed.id,
        contractStatus: null,
        beoId: null,
        createdAt: now,
        updatedAt: now,
      });
    }

    async function expectOutcome() {
      const { m, database } = idle;
      const db = database.db;
      const calendarOf = (echoId: string) =>
        db
          .selectFrom("calendarEvents")
          .selectAll()
          .where("orgId", "=", m.orgId)
          .where("echoEventId", "=", echoId)
          .execute();
      const linkOf = (echoId: string) => m.maestro.integration.links.get(m.orgId, echoId);
      const opsOf = (echoId: string) =>
        db
          .selectFrom("syncOperations")
          .selectAll()
          .where("orgId", "=", m.orgId)
          .where("echoEventId", "=", echoId)
          .orderBy("id")
          .execute();

      // New events: imported, the signed one with its BEO and notification.
      for (const name of ["Quillfeather Anniversary Dinner", "Marigold Foundation Gala"]) {
        const event = created[name]!;
        const [cal] = await calendarOf(event.id);
        expect(cal).toMatchObject({ title: name, guestCount: 150, source: "echo" });
        expect((await linkOf(event.id))?.calendarEventId).toBe(cal!.id);
        const ops = await opsOf(event.id);
        expect(ops.map((o) => o.reason)).toEqual([
          event.contractStatus === "signed" ? "imported; contract signed: BEO created" : "imported",
        ]);
      }
      const gala = (await calendarOf(created["Marigold Foundation Gala"]!.id))[0]!;
      expect(gala.beoId).toMatch(/^beo_/);
      const notes = await m.maestro.services.notifications.list(m.orgId, "chef");
      expect(notes.map((n) => n.message)).toContain(
        `Contract signed for "Marigold Foundation Gala" on ${weddingEvent.eventDate}: BEO #1001 created`,
      );

      // Known: merged as a change (Echo's new guaranteed count), not imported again.
      const linked = created["Linked Harbor Luncheon"]!;
      const linkedCal = await calendarOf(linked.id);
      expect(linkedCal).toHaveLength(1);
      expect(linkedCal[0]!.guestCount).toBe(175);
      expect((await linkOf(linked.id))?.echoVersion).toBe(2);
      const linkedOps = await opsOf(linked.id);
      expect(linkedOps.map((o) => [o.status, o.reason])).toEqual([
        ["succeeded", "imported"],
        ["succeeded", "applied"],
      ]);
      expect(JSON.parse(linkedOps[1]!.changes)).toContainEqual({ field: "guaranteed", from: 150, to: 175 });

      // Queued: left to the queue, behind the job already there.
      const queued = created["Queued Orchard Reception"]!;
      expect(await calendarOf(queued.id)).toEqual([]);
      expect(await linkOf(queued.id)).toBeUndefined();
      const jobs = await db
        .selectFrom("syncJobs")
        .select(["kind", "status", "payload"])
        .where("orgId", "=", m.orgId)
        .where("orderingKey", "=", queued.id)
        .orderBy("seq")
        .execute();
      expect(jobs.map((j) => [j.kind, j.status, (JSON.parse(j.payload) as { source: string }).source])).toEqual([
        ["echo_change", "queued", "webhook"],
        ["echo_change", "queued", "manual"],
      ]);
      // The queued snapshot holds what the merge maps, not the client's contact details.
      const snapshot = (JSON.parse(jobs[1]!.payload) as { event: Record<string, unknown> }).event;
      expect(snapshot).toMatchObject({
        id: queued.id,
        eventName: "Queued Orchard Reception",
        clientName: "Chinwe Okafor",
      });
      expect(snapshot).not.toHaveProperty("clientEmail");
      expect(snapshot).not.toHaveProperty("clientPhone");

      // A calendar event already carrying the Echo id: updated and linked, not duplicated.
      const claimed = created["Claimed Summit Breakfast"]!;
      const claimedCal = await calendarOf(claimed.id);
      expect(claimedCal).toHaveLength(1);
      expect(claimedCal[0]).toMatchObject({
        id: "cal_unlinked_claimed",
        title: "Claimed Summit Breakfast",
        time: weddingEvent.eventTime,
        room: weddingEvent.room,
        status: "confirmed",
      });
      expect(claimedCal[0]!.beoId).toMatch(/^beo_/);
      expect((await linkOf(claimed.id))?.calendarEventId).toBe("cal_unlinked_claimed");

      // Deleted in Echo before Maestro knew it: nothing but the decision on record.
      const vanished = created["Vanished Vineyard Soiree"]!;
      expect(await calendarOf(vanished.id)).toEqual([]);
      expect(await linkOf(vanished.id)).toBeUndefined();
      expect((await opsOf(vanished.id)).map((o) => [o.status, o.reason])).toEqual([
        ["skipped", "deleted in Echo before Maestro knew it"],
      ]);

      const beos = await db
        .selectFrom("beos")
        .select(["echoEventId", "beoNumber"])
        .where("orgId", "=", m.orgId)
        .execute();
      expect(beos.map((b) => b.echoEventId).sort()).toEqual(
        [created["Marigold Foundation Gala"]!.id, claimed.id].sort(),
      );
      expect(beos.map((b) => b.beoNumber).sort()).toEqual([1001, 1002]);

      const found = await idle.admin("GET", "/api/calendar/events?q=quillfeather");
      expect(found.body.data.map((e: { title: string }) => e.title)).toEqual(["Quillfeather Anniversary Dinner"]);
    }

    it("imports the new ones in bulk and merges, defers or skips the others as one by one", async () => {
      await prepare();
      const op = await idle.m.maestro.integration.reconciliation.run(idle.integration, {
        full: true,
        trigger: "manual",
      });
      expect(op.reason).toContain("pulled 6 Echo events (4 applied, 1 queued)");
      await expectOutcome();
    });

    it("merges the page one by one when its bulk insert meets an import it did not see", async () => {
      await prepare();
      // The claimed calendar event is not seen (as if it was committed after the page was read):
      // the bulk insert then hits the unique Echo id and the page goes through the per-event merge.
      const calendarRepo = idle.m.maestro.services.calendarRepo;
      vi.spyOn(calendarRepo, "echoIdsPresent").mockResolvedValueOnce(new Set());
      const op = await idle.m.maestro.integration.reconciliation.run(idle.integration, {
        full: true,
        trigger: "manual",
      });
      expect(op.reason).toContain("pulled 6 Echo events (4 applied, 1 queued)");
      expect(idle.m.logLines.some((l) => l.includes("bulk import met a concurrent import"))).toBe(true);
      await expectOutcome();
    });
  });
});
