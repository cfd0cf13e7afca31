import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import SQLite from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEchoSandbox, type EchoSandbox } from "../../../echo-sandbox/src/sandbox-server.ts";
import { openDatabase } from "../db/database.ts";
import { composeSpecialRequests } from "./special-requests.ts";
import {
  createPgDatabase,
  freePort,
  prng,
  spawnTsNode,
  waitUntil,
  type FreshPgDatabase,
  type NodeProcess,
} from "../testing/process-kit.ts";
import { testDbKind } from "../testing/test-database.ts";
import { apiClient } from "../testing/test-server.ts";
import { weddingEvent } from "../testing/sync-test-kit.ts";
import { BEO_FIELD, beoPatch, echoPatch, EDITED_FIELDS, valueFor, type EditedField } from "../testing/edit-values.ts";

// kill -9 of Maestro (a real child process) at random moments while Echo keeps
// sending webhooks and users keep editing BEOs; restarted each time on the same
// data. Afterwards nothing acknowledged is lost and both systems agree.

const ADMIN_KEY = "crash-test-admin-key-0123456789abcdef";
const SECRET_KEY = "crash-test-secret-key-0123456789abcdef";
const SANDBOX_KEY = "crash-test-sandbox-key";
const WEBHOOK_SECRET = "whsec_" + Buffer.from("crash-test-webhook-secret-32byte").toString("base64");
const KILLS = 4;
const SEED = Number(process.env.MAESTRO_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));

const FIELDS = EDITED_FIELDS;
type Field = EditedField;

type Tracked = { id: string; signed: boolean; deleted: boolean; beoId?: string };

describe(`kill -9 of Maestro under sustained webhook load (${testDbKind})`, () => {
  let sandbox: EchoSandbox;
  let sandboxDir: string;
  let dataDir: string;
  let pgDb: FreshPgDatabase | undefined;
  let port: number;
  let maestro: NodeProcess | undefined;
  let env: Record<string, string>;
  const url = () => `http://127.0.0.1:${port}`;

  async function startMaestro(): Promise<NodeProcess> {
    const proc = spawnTsNode("apps/server/src/main.ts", env, "maestro");
    maestro = proc;
    // Ready once the bootstrap admin key answers (it is ensured after listen).
    await waitUntil(
      "Maestro to answer",
      async () =>
        (await apiClient(url(), ADMIN_KEY)("GET", "/api/echo-integration/status")).status !== 401 || undefined,
      {
        process: proc,
        timeoutMs: 30_000,
      },
    );
    return proc;
  }

  beforeAll(async () => {
    console.log(`crash-recovery seed ${SEED} (replay the random choices with MAESTRO_CRASH_SEED=${SEED})`);
    sandboxDir = mkdtempSync(path.join(os.tmpdir(), "echo-sandbox-crash-"));
    dataDir = mkdtempSync(path.join(os.tmpdir(), "maestro-crash-"));
    // Retries spread over ~15 s: a delivery outlives Maestro's down time.
    sandbox = await startEchoSandbox({
      dataDir: sandboxDir,
      port: 0,
      apiKey: SANDBOX_KEY,
      logLevel: "silent",
      retryScheduleMs: [100, 250, 500, 1000, 1500, 2000, 2000, 2000, 2000, 2000, 2000],
      deliveryTimeoutMs: 3000,
    });
    if (testDbKind === "postgres") pgDb = await createPgDatabase("maestro_crash");
    port = await freePort();
    env = {
      PORT: String(port),
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      ...(pgDb ? { DATABASE_URL: pgDb.url } : {}),
      MAESTRO_SECRET_KEY: SECRET_KEY,
      MAESTRO_ADMIN_API_KEY: ADMIN_KEY,
      INTEGRATION_ALLOWED_HOSTS: `127.0.0.1:${sandbox.port}`,
      LOG_LEVEL: "warn",
      // The test is one caller hammering the API: no per-caller limit.
      API_RATE_LIMIT_PER_MINUTE: "1000000",
    };
    await startMaestro();
    const admin = apiClient(url(), ADMIN_KEY);
    const opsKey = await admin("POST", "/api/api-keys", { name: "echo crm", role: "ops" });
    expect(opsKey.status).toBe(201);
    const init = await admin("POST", "/api/echo-integration/initialize", {
      organizationId: "demo",
      echoCrmApiUrl: `${sandbox.url}/v1`,
      echoCrmApiKey: SANDBOX_KEY,
      maestroApiUrl: url(),
      maestroApiKey: opsKey.body.key,
      webhookSecret: WEBHOOK_SECRET,
      syncDirection: "bidirectional",
      autoSync: false,
      syncInterval: 15,
      conflictResolution: "newest_wins",
    });
    expect(init.status, JSON.stringify(init.body)).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await maestro?.kill9();
    await sandbox?.close();
    await pgDb?.drop();
    if (sandboxDir) rmSync(sandboxDir, { recursive: true, force: true });
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it(`loses nothing acknowledged, duplicates nothing and converges after ${KILLS} kills`, async () => {
    const random = prng(SEED);
    const t0 = Date.now();
    const admin = apiClient(url(), ADMIN_KEY);
    const echo = apiClient(sandbox.url, SANDBOX_KEY);
    const events: Tracked[] = [];
    const echoLast = new Map<string, unknown>(); // `${id}|${field}` → Echo's last acknowledged value
    const counters = { echoWrites: 0, maestroWrites: 0, maestroUnanswered: 0, kills: 0 };
    let n = 0;
    let loading = true;

    // One Echo event's writes on one side run one at a time, so "last" is well defined.
    const chains = new Map<string, Promise<unknown>>();
    const serial = <T>(key: string, work: () => Promise<T>): Promise<T> => {
      const next = (chains.get(key) ?? Promise.resolve()).then(work, work);
      chains.set(
        key,
        next.catch(() => undefined),
      );
      return next;
    };
    const live = () => events.filter((e) => !e.deleted);
    const pick = <T>(xs: T[]): T | undefined => (xs.length ? xs[Math.floor(random() * xs.length)] : undefined);

    const createEvent = async (status: string) => {
      const k = n++;
      const created = await echo("POST", "/v1/events", {
        ...weddingEvent,
        eventName: `Crash event ${k}`,
        eventDate: `2027-${String(1 + (k % 12)).padStart(2, "0")}-${String(1 + (k % 28)).padStart(2, "0")}`,
        contractStatus: status,
        specialRequests: "",
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      events.push({ id: created.body.id, signed: status === "signed", deleted: false });
      counters.echoWrites++;
    };

    // Echo's sales team: creates, edits, signs and (rarely) deletes events; each is a webhook.
    const echoStep = async () => {
      const r = random();
      if (events.length < 20 || (r < 0.06 && events.length < 80))
        return createEvent(random() < 0.35 ? "signed" : pick(["inquiry", "tentative", "contract_sent"])!);
      if (r < 0.2) {
        const e = pick(live().filter((x) => !x.signed));
        if (!e) return;
        return serial(`echo|${e.id}`, async () => {
          const res = await echo("POST", `/v1/events/${e.id}/contract/sign`);
          expect(res.status, JSON.stringify(res.body)).toBe(200);
          e.signed = true;
          counters.echoWrites++;
        });
      }
      if (r < 0.22 && events.filter((x) => x.deleted).length < 4) {
        const e = pick(live());
        if (!e) return;
        e.deleted = true; // no new edits from now on
        return serial(`echo|${e.id}`, async () => {
          const res = await echo("DELETE", `/v1/events/${e.id}`);
          expect(res.status, JSON.stringify(res.body)).toBe(200);
          counters.echoWrites++;
        });
      }
      const e = pick(live());
      if (!e) return;
      const k = n++;
      if (r < 0.3) {
        // Echo-only fields (Echo → Maestro).
        return serial(`echo|${e.id}`, async () => {
          if (e.deleted) return;
          const res = await echo("PATCH", `/v1/events/${e.id}`, {
            budget: { totalBudget: 10_000 + k },
            clientName: `Client ${k}`,
          });
          expect(res.status, JSON.stringify(res.body)).toBe(200);
          counters.echoWrites++;
        });
      }
      const field = pick([...FIELDS])!;
      const value = valueFor(field, "echo", k);
      return serial(`echo|${e.id}`, async () => {
        if (e.deleted) return;
        const res = await echo("PATCH", `/v1/events/${e.id}`, echoPatch(field, value));
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        echoLast.set(`${e.id}|${field}`, value);
        counters.echoWrites++;
      });
    };

    // Maestro's banquet managers: edit BEOs of signed events. Maestro may be down
    // or die mid-request: such an edit's fate is read back from the BEO's revisions.
    const maestroStep = async () => {
      const e = pick(live().filter((x) => x.signed));
      if (!e) return;
      if (!e.beoId) {
        const found = await admin("GET", `/api/beos?echoEventId=${e.id}`).catch(() => undefined);
        e.beoId = found?.body?.data?.[0]?.id;
        if (!e.beoId) return;
      }
      const field = pick([...FIELDS])!;
      const value = valueFor(field, "maestro", n++);
      return serial(`maestro|${e.id}`, async () => {
        if (e.deleted) return;
        try {
          const res = await admin("PATCH", `/api/beos/${e.beoId}`, beoPatch(field, value));
          // 409: the BEO was cancelled meanwhile (its Echo event deleted).
          expect([200, 409], JSON.stringify(res.body)).toContain(res.status);
          counters.maestroWrites++;
        } catch {
          counters.maestroUnanswered++;
        }
      });
    };

    let failure: unknown;
    const loop = async (step: () => Promise<unknown>, pauseMs: number) => {
      while (loading) {
        try {
          await step();
        } catch (err) {
          // Maestro being down is expected; anything else stops the load and fails the test.
          if (!(err instanceof TypeError && /fetch failed/.test(err.message))) {
            failure ??= err;
            loading = false;
          }
        }
        await new Promise((r) => setTimeout(r, pauseMs + random() * pauseMs));
      }
    };

    for (let i = 0; i < 10; i++) await createEvent(i % 2 === 0 ? "signed" : "tentative");
    // Webhook faults on top of the crashes: some deliveries dropped (only reconciliation
    // can repair those), some sent twice, delivery order shuffled.
    await echo("POST", "/_sandbox/faults", { dropRate: 0.05, duplicateRate: 0.1, reorderWindowMs: 150 });
    const loops = [
      loop(echoStep, 15),
      loop(echoStep, 15),
      loop(echoStep, 15),
      loop(maestroStep, 20),
      loop(maestroStep, 20),
    ];

    // The crashes: kill -9 at a random moment, some load while it is down, restart on the same data.
    for (let k = 0; k < KILLS && loading; k++) {
      await new Promise((r) => setTimeout(r, 1500 + random() * 3000));
      await maestro!.kill9();
      counters.kills++;
      await new Promise((r) => setTimeout(r, random() * 1000));
      await startMaestro();
    }
    await new Promise((r) => setTimeout(r, 1500));
    loading = false;
    await Promise.all(loops);
    await Promise.all(chains.values());
    if (failure) throw failure;
    await echo("POST", "/_sandbox/faults", {});

    // Quiesce: Echo has delivered (or parked) everything, Maestro's queue is empty;
    // then one full reconciliation, and quiesce again.
    const quiet = async () => {
      let calmRounds = 0;
      await waitUntil(
        "both queues to drain",
        async () => {
          const queue = (await echo("GET", "/_sandbox/queue")).body;
          const status = (await admin("GET", "/api/echo-integration/status")).body;
          calmRounds = (queue.pending ?? 0) === 0 && status.counts.pending === 0 ? calmRounds + 1 : 0;
          return calmRounds >= 3;
        },
        { process: maestro!, timeoutMs: 90_000, intervalMs: 200 },
      );
    };
    const phase = (name: string) => console.log(`[crash] ${name} at ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    phase("load stopped");
    await quiet();
    phase("drained");
    const sync = await admin("POST", "/api/echo-integration/sync", { full: true });
    expect(sync.status).toBe(202);
    await quiet();
    phase("reconciled");

    // 1. No acknowledged webhook lost: every delivery Echo saw a 2xx for is in Maestro's inbox, processed.
    const acknowledged: { webhookId: string; eventId: string; type: string }[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await echo("GET", `/_sandbox/deliveries?limit=5000${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.status).toBe(200);
      acknowledged.push(...page.body.data);
      cursor = page.body.nextCursor;
    } while (cursor);

    // 2. No duplicate BEO, and 3. both systems equal on every mapped field.
    const calendar = (await admin("GET", "/api/calendar/events?limit=10000")).body.data as any[];
    const byEchoId = new Map(calendar.filter((c) => c.echoEventId).map((c) => [c.echoEventId, c]));
    const history: any[] = [];
    cursor = null;
    do {
      const page: any = await admin(
        "GET",
        `/api/echo-integration/history?limit=500${cursor ? `&cursor=${cursor}` : ""}`,
      );
      history.push(...page.body.data);
      cursor = page.body.nextCursor;
    } while (cursor);
    const conflicts = (await admin("GET", "/api/echo-integration/conflicts")).body.data as any[];
    const failedJobs = (await admin("GET", "/api/echo-integration/jobs/failed")).body.data as any[];

    // Every version Echo ever held of an event, from the sandbox's own store (diagnostics).
    const sandboxDb = new SQLite(path.join(sandboxDir, "echo-sandbox.sqlite"), { readonly: true });
    const echoVersions = (id: string) =>
      sandboxDb
        .prepare<[string], { version: number; body: string }>(
          "select version, body from event_changes where event_id = ? order by version",
        )
        .all(id)
        .map((row) => {
          const e = JSON.parse(row.body);
          const values: Record<Field, unknown> = {
            guaranteed: e.guestCount.guaranteed,
            room: e.room,
            eventTime: e.eventTime,
            eventName: e.eventName,
            specialRequests: e.specialRequests,
          };
          return { version: row.version, values };
        });
    const statusMap: Record<string, string> = {
      inquiry: "inquiry",
      tentative: "tentative",
      contract_sent: "tentative",
      signed: "confirmed",
      cancelled: "cancelled",
      lost: "cancelled",
    };
    let compared = 0;
    let neverImported = 0;
    let beosChecked = 0;
    for (const tracked of events) {
      const e = (await echo("GET", `/v1/events/${tracked.id}`)).body;
      const deleted = Boolean(e.deletedAt);
      const cal = byEchoId.get(tracked.id);
      if (!cal && deleted) {
        // Created and deleted before Maestro heard of it (its event.created dropped or
        // overtaken): never imported, by design. Nothing of it may exist in Maestro.
        expect(
          (await admin("GET", `/api/beos?echoEventId=${tracked.id}`)).body.data,
          `BEOs of never-imported ${tracked.id}`,
        ).toEqual([]);
        neverImported++;
        continue;
      }
      if (!cal) {
        const versions = sandboxDb
          .prepare<[string], { version: number; deleted: number }>(
            "select version, deleted from event_changes where event_id = ? order by version",
          )
          .all(tracked.id);
        const ops = history
          .filter((op) => op.echoEventId === tracked.id)
          .reverse()
          .map((op) => `${op.startedAt} ${op.direction} ${op.trigger} ${op.status} ${op.reason ?? ""}`);
        expect.fail(
          `no calendar event for ${tracked.id} (Echo: ${JSON.stringify(e)}; versions ${JSON.stringify(versions)})\noperations:\n${ops.join("\n")}`,
        );
      }
      const beos = (await admin("GET", `/api/beos?echoEventId=${tracked.id}`)).body.data as any[];
      // Exactly one BEO per signed event. (An event deleted in Echo before Maestro
      // heard of its signature is cancelled without ever getting one.)
      if (e.contractStatus === "signed" && !deleted) expect(beos.length, `BEOs of signed ${tracked.id}`).toBe(1);
      else if (e.contractStatus === "signed")
        expect(beos.length, `BEOs of deleted signed ${tracked.id}`).toBeLessThanOrEqual(1);
      else expect(beos.length, `BEOs of unsigned ${tracked.id}`).toBe(0);
      const beo = beos[0];
      const revisions = beo ? ((await admin("GET", `/api/beos/${beo.id}/revisions`)).body.data as any[]) : [];
      const lastUserValue = (field: Field) =>
        revisions
          .filter((r) => r.source === "user" && r.field === BEO_FIELD[field])
          .sort((a, b) => a.version - b.version)
          .at(-1)?.new;

      // Echo → Maestro only fields.
      expect(
        { status: cal.status, revenue: cal.revenue, clientName: cal.clientName, salesRepName: cal.salesRepName },
        `one-way fields of ${tracked.id}`,
      ).toEqual({
        status: deleted ? "cancelled" : statusMap[e.contractStatus],
        revenue: e.budget.totalBudget,
        clientName: e.clientName,
        salesRepName: e.salesRepName,
      });
      // Both-ways fields, on the calendar and on the BEO. A deleted Echo event takes
      // no more writes, so there Maestro may keep a value its user wrote that could
      // not be sent any more; never a stale value of Echo's.
      const echoSide: Record<Field, unknown> = {
        guaranteed: e.guestCount.guaranteed,
        room: e.room,
        eventTime: e.eventTime,
        eventName: e.eventName,
        specialRequests: e.specialRequests,
      };
      const calSide: Record<Field, unknown> = {
        guaranteed: cal.guestCount,
        room: cal.room,
        eventTime: cal.time,
        eventName: cal.title,
        specialRequests: cal.notes ?? "",
      };
      const expected = Object.fromEntries(
        FIELDS.map((f) => [
          f,
          deleted && calSide[f] !== echoSide[f] && calSide[f] === lastUserValue(f) ? calSide[f] : echoSide[f],
        ]),
      );
      expect(calSide, `calendar of ${tracked.id}${deleted ? " (deleted in Echo)" : ""}`).toEqual(expected);
      expect(cal.date).toBe(e.eventDate);
      compared++;
      if (beo) {
        beosChecked++;
        expect(cal.beoId).toBe(beo.id);
        const beoSide: Record<Field, unknown> = {
          guaranteed: beo.event.guaranteed,
          room: beo.event.room,
          eventTime: beo.event.time,
          eventName: beo.header.eventName,
          specialRequests: composeSpecialRequests({
            setup: beo.setup.specialRequests,
            kitchen: beo.menu.specialInstructions,
          }),
        };
        expect(beoSide, `BEO of ${tracked.id}`).toEqual(calSide);
        expect({
          date: beo.event.date,
          clientName: beo.header.clientName,
          salesRepName: beo.header.salesRepName,
        }).toEqual({ date: e.eventDate, clientName: e.clientName, salesRepName: e.salesRepName });
        if (deleted) expect(beo.status, `BEO of deleted ${tracked.id}`).toBe("cancelled");
        else
          expect({ beoId: e.beoId, beoStatus: e.beoStatus }, `Echo's BEO link of ${tracked.id}`).toEqual({
            beoId: beo.id,
            beoStatus: beo.status,
          });
      }

      // Every value a side wrote last and lost either reached the other side first
      // or is on record as a conflict. Maestro's last values come from the BEO's
      // change log (an edit cut off by a kill may or may not have committed).
      for (const field of FIELDS) {
        const lastValues = { echo: echoLast.get(`${tracked.id}|${field}`), maestro: lastUserValue(field) };
        for (const side of ["echo", "maestro"] as const) {
          const value = lastValues[side];
          if (value === undefined || value === echoSide[field] || value === calSide[field]) continue;
          const flowed = history.some(
            (op) =>
              op.echoEventId === tracked.id &&
              op.direction === (side === "echo" ? "echo_to_maestro" : "maestro_to_echo") &&
              op.changes.some((c: any) => c.field === field && c.to === value),
          );
          const recorded = conflicts.some(
            (c) =>
              c.echoEventId === tracked.id &&
              c.fields.some(
                (f: any) => f.field === field && f[side === "echo" ? "echoValue" : "maestroValue"] === value,
              ),
          );
          if (!flowed && !recorded) {
            const echoHistory = echoVersions(tracked.id).map((v) => `v${v.version}=${JSON.stringify(v.values[field])}`);
            const ops = history
              .filter((op) => op.echoEventId === tracked.id)
              .reverse()
              .map(
                (op) =>
                  `${op.startedAt} ${op.direction} ${op.trigger} ${op.status} ${op.reason ?? ""} ${JSON.stringify(op.changes.filter((c: any) => c.field === field))}`,
              );
            const revs = revisions
              .filter((r) => r.field === BEO_FIELD[field])
              .map((r) => `v${r.version} ${r.source} ${JSON.stringify(r.new)}`);
            expect.fail(
              `${side}'s ${field}=${JSON.stringify(value)} on ${tracked.id} was overwritten without a record\n` +
                `Echo's versions: ${echoHistory.join(", ")}\nBEO revisions: ${revs.join(", ")}\noperations:\n${ops.join("\n")}`,
            );
          }
        }
      }
    }
    sandboxDb.close();
    expect(failedJobs, "jobs parked as failed").toEqual([]);

    // Stop Maestro cleanly and read its inbox straight from the database.
    await maestro!.stop();
    const database = await openDatabase({ dataDir, ...(pgDb ? { databaseUrl: pgDb.url } : {}) });
    try {
      const inbox = await database.db.selectFrom("webhookInbox").select(["webhookId", "status"]).execute();
      const stored = new Map(inbox.map((r) => [r.webhookId, r.status]));
      const lost = acknowledged.filter((d) => !stored.has(d.webhookId));
      expect(lost, "acknowledged by Maestro but missing from its inbox").toEqual([]);
      const unprocessed = acknowledged.filter((d) => stored.get(d.webhookId) !== "processed");
      expect(unprocessed, "acknowledged but never processed").toEqual([]);
      const jobs = await database.db.selectFrom("syncJobs").select(["status"]).where("status", "!=", "done").execute();
      expect(jobs, "unfinished jobs").toEqual([]);
    } finally {
      await database.close();
    }

    const uniqueAcked = new Set(acknowledged.map((d) => d.webhookId)).size;
    console.log(
      `crash-recovery (${testDbKind}): ${counters.kills} kills, ${events.length} Echo events, ${counters.echoWrites} Echo writes, ` +
        `${counters.maestroWrites} answered + ${counters.maestroUnanswered} cut-off BEO edits, ${acknowledged.length} acknowledged deliveries ` +
        `(${uniqueAcked} distinct), ${compared} events and ${beosChecked} BEOs compared (${neverImported} deleted before Maestro knew them), ${conflicts.length} conflicts, ${history.length} operations`,
    );
    expect(counters.kills).toBe(KILLS);
    expect(uniqueAcked).toBeGreaterThan(200);
  }, 180_000);
});
