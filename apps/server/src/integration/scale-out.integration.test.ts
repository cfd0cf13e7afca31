import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEchoSandbox, type EchoSandbox } from "../../../echo-sandbox/src/sandbox-server.ts";
import { openDatabase, type DatabaseHandle } from "../db/database.ts";
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

// DESIGN "Storage": PostgreSQL is how Maestro scales past one machine — stateless
// HTTP instances and separate worker processes share one database (SKIP LOCKED
// job claims, LISTEN/NOTIFY for live updates). Here: two HTTP instances (A, B,
// WORKER_ENABLED=false) and two worker processes (worker-main.ts), all real child
// processes on one fresh database. Echo delivers every webhook to both instances.

const ADMIN_KEY = "scale-out-admin-key-0123456789abcdef";
const SECRET_KEY = "scale-out-secret-key-0123456789abcdef";
const SANDBOX_KEY = "scale-out-sandbox-key";
const WEBHOOK_SECRET = "whsec_" + Buffer.from("scale-out-webhook-secret-32bytes").toString("base64");
const EVENTS = 24;

type StreamEvent = { type: string; data: Record<string, unknown> };

// A Server-Sent Events client on GET /api/stream.
async function openStream(baseUrl: string, key: string) {
  const controller = new AbortController();
  const events: StreamEvent[] = [];
  const res = await fetch(`${baseUrl}/api/stream`, {
    headers: { authorization: `Bearer ${key}`, accept: "text/event-stream" },
    signal: controller.signal,
  });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const pump = (async () => {
    let buffer = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let type = "message";
          let data = "";
          for (const line of block.split("\n")) {
            if (line.startsWith("event: ")) type = line.slice(7);
            else if (line.startsWith("data: ")) data += line.slice(6);
          }
          if (data) events.push({ type, data: JSON.parse(data) as Record<string, unknown> });
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return {
    events,
    waitFor: (what: string, match: (e: StreamEvent) => boolean) =>
      waitUntil(what, async () => events.find(match), { timeoutMs: 15_000 }),
    async close() {
      controller.abort();
      await pump;
    },
  };
}

describe.skipIf(testDbKind !== "postgres")(
  "scale-out on PostgreSQL — runs only with MAESTRO_TEST_DB=postgres: several processes sharing one database need PostgreSQL",
  () => {
    let sandbox: EchoSandbox;
    let sandboxDir: string;
    let dataDir: string;
    let pgDb: FreshPgDatabase;
    let database: DatabaseHandle;
    const procs: NodeProcess[] = [];
    let instanceA: NodeProcess;
    let instanceB: NodeProcess;
    let workers: NodeProcess[] = [];
    let urlA: string;
    let urlB: string;
    let a: ReturnType<typeof apiClient>;
    let b: ReturnType<typeof apiClient>;
    let echo: ReturnType<typeof apiClient>;

    const baseEnv = () => ({
      DATA_DIR: dataDir,
      DATABASE_URL: pgDb.url,
      MAESTRO_SECRET_KEY: SECRET_KEY,
      MAESTRO_ADMIN_API_KEY: ADMIN_KEY,
      INTEGRATION_ALLOWED_HOSTS: `127.0.0.1:${sandbox.port}`,
      API_RATE_LIMIT_PER_MINUTE: "1000000",
    });

    async function startInstance(port: number, label: string): Promise<NodeProcess> {
      const proc = spawnTsNode(
        "apps/server/src/main.ts",
        { ...baseEnv(), PORT: String(port), HOST: "127.0.0.1", WORKER_ENABLED: "false", LOG_LEVEL: "warn" },
        label,
      );
      procs.push(proc);
      const client = apiClient(`http://127.0.0.1:${port}`, ADMIN_KEY);
      await waitUntil(
        `${label} to answer`,
        async () => (await client("GET", "/api/echo-integration/status")).status !== 401 || undefined,
        { process: proc, timeoutMs: 40_000 },
      );
      return proc;
    }

    async function startWorker(label: string): Promise<NodeProcess> {
      // info level: each worker logs every job it runs ("echo change processed", "push to echo processed").
      const proc = spawnTsNode("apps/server/src/worker-main.ts", { ...baseEnv(), LOG_LEVEL: "info" }, label, {
        keepLines: 1_000_000,
      });
      procs.push(proc);
      await waitUntil(`${label} to start`, async () => proc.output().includes("sync worker started"), {
        process: proc,
        timeoutMs: 40_000,
      });
      return proc;
    }

    // Nothing pending in Echo's delivery queue nor in Maestro's job queue, three polls in a row.
    async function settle(timeoutMs = 60_000) {
      let calm = 0;
      await waitUntil(
        "Echo's deliveries and Maestro's jobs to drain",
        async () => {
          const queue = (await echo("GET", "/_sandbox/queue")).body;
          const open = await database.db
            .selectFrom("syncJobs")
            .select(sql<number>`count(*)`.as("n"))
            .where("status", "in", ["queued", "running"])
            .executeTakeFirstOrThrow();
          calm = (queue.pending ?? 0) === 0 && Number(open.n) === 0 ? calm + 1 : 0;
          return calm >= 3;
        },
        { timeoutMs, intervalMs: 150 },
      );
    }

    const logLines = (proc: NodeProcess, msg: string) =>
      proc
        .output()
        .split("\n")
        .flatMap((line) => {
          try {
            const parsed = JSON.parse(line) as Record<string, unknown>;
            return parsed.msg === msg ? [parsed] : [];
          } catch {
            return [];
          }
        });

    beforeAll(async () => {
      sandboxDir = mkdtempSync(path.join(os.tmpdir(), "echo-sandbox-scale-"));
      dataDir = mkdtempSync(path.join(os.tmpdir(), "maestro-scale-"));
      sandbox = await startEchoSandbox({
        dataDir: sandboxDir,
        port: 0,
        apiKey: SANDBOX_KEY,
        logLevel: "silent",
        retryScheduleMs: [100, 250, 500, 1000, 2000, 2000, 2000],
        deliveryTimeoutMs: 5000,
      });
      pgDb = await createPgDatabase("maestro_scale");
      const [portA, portB] = [await freePort(), await freePort()];
      urlA = `http://127.0.0.1:${portA}`;
      urlB = `http://127.0.0.1:${portB}`;
      // A first: it migrates the new database and creates the organization.
      instanceA = await startInstance(portA, "instance A");
      [instanceB, ...workers] = await Promise.all([
        startInstance(portB, "instance B"),
        startWorker("worker 1"),
        startWorker("worker 2"),
      ]);
      database = await openDatabase({ dataDir, databaseUrl: pgDb.url, poolSize: 2 });
      a = apiClient(urlA, ADMIN_KEY);
      b = apiClient(urlB, ADMIN_KEY);
      echo = apiClient(sandbox.url, SANDBOX_KEY);

      const opsKey = await a("POST", "/api/api-keys", { name: "echo crm", role: "ops" });
      expect(opsKey.status).toBe(201);
      const init = await b("POST", "/api/echo-integration/initialize", {
        organizationId: "demo",
        echoCrmApiUrl: `${sandbox.url}/v1`,
        echoCrmApiKey: SANDBOX_KEY,
        maestroApiUrl: urlA,
        maestroApiKey: opsKey.body.key,
        webhookSecret: WEBHOOK_SECRET,
        syncDirection: "bidirectional",
        autoSync: false,
        syncInterval: 15,
        conflictResolution: "newest_wins",
      });
      expect(init.status, JSON.stringify(init.body)).toBe(200);
      // Echo delivers every webhook to both instances (two subscriptions, one secret):
      // the same webhook-id reaches A and B at about the same moment.
      const endpoints = (await echo("GET", "/v1/webhook-endpoints")).body.data as { url: string }[];
      expect(endpoints).toHaveLength(1);
      const second = await echo("POST", "/v1/webhook-endpoints", {
        url: endpoints[0]!.url.replace(urlA, urlB),
        secret: WEBHOOK_SECRET,
      });
      expect(second.status, JSON.stringify(second.body)).toBe(201);
      await settle();
    }, 120_000);

    afterAll(async () => {
      await Promise.all(procs.map((p) => p.stop(5000)));
      await database?.close();
      await sandbox?.close();
      await pgDb?.drop();
      if (sandboxDir) rmSync(sandboxDir, { recursive: true, force: true });
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    it("runs every job exactly once across two workers under load through both instances", async () => {
      const random = prng(7_2027);
      const ids: string[] = [];
      for (let i = 0; i < EVENTS; i++) {
        const created = await echo("POST", "/v1/events", {
          ...weddingEvent,
          eventName: `Scale event ${i}`,
          contractStatus: i % 2 === 0 ? "signed" : "tentative",
          specialRequests: "",
        });
        expect(created.status).toBe(201);
        ids.push(created.body.id);
      }
      const signed = ids.filter((_, i) => i % 2 === 0);
      const beoIds = new Map<string, string>();
      for (const id of signed) {
        beoIds.set(
          id,
          await waitUntil(
            `BEO of ${id}`,
            async () => (await a("GET", `/api/beos?echoEventId=${id}`)).body.data[0]?.id,
            { timeoutMs: 30_000 },
          ),
        );
      }

      // Load: Echo edits every event; users edit BEOs through A and through B at the same time.
      let n = 0;
      const echoLoad = async () => {
        for (let i = 0; i < 120; i++) {
          const id = ids[Math.floor(random() * ids.length)]!;
          const k = n++;
          const patch = random() < 0.5 ? { guestCount: { guaranteed: 100 + k } } : { room: `Echo Room ${k}` };
          const res = await echo("PATCH", `/v1/events/${id}`, patch);
          expect(res.status, JSON.stringify(res.body)).toBe(200);
        }
      };
      const userLoad = (client: ReturnType<typeof apiClient>, label: string) => async () => {
        for (let i = 0; i < 40; i++) {
          const id = signed[Math.floor(random() * signed.length)]!;
          const k = n++;
          const patch =
            random() < 0.5
              ? { header: { eventName: `${label} name ${k}` } }
              : { event: { time: `${String(8 + (k % 12)).padStart(2, "0")}:15` } };
          const res = await client("PATCH", `/api/beos/${beoIds.get(id)}`, patch);
          expect(res.status, JSON.stringify(res.body)).toBe(200);
        }
      };
      await Promise.all([echoLoad(), echoLoad(), userLoad(a, "A")(), userLoad(b, "B")()]);
      await settle();

      // Every job is done, and was claimed once per attempt: a second claim only ever
      // follows a failed attempt that a worker put back in the queue (e.g. a push that
      // Echo's edits kept overtaking), never two workers holding it at once.
      const jobs = await database.db
        .selectFrom("syncJobs")
        .select(["id", "kind", "orderingKey", "status", "attempts", "operationId"])
        .execute();
      const retries = new Map<string, number>();
      for (const w of workers)
        for (const line of logLines(w, "sync job will be retried"))
          retries.set(String(line.jobId), (retries.get(String(line.jobId)) ?? 0) + 1);
      const irregular = jobs.filter((j) => j.status !== "done" || j.attempts !== 1 + (retries.get(j.id) ?? 0));
      const about = (jobId: string) =>
        workers.flatMap((w) =>
          w
            .output()
            .split("\n")
            .filter((line) => line.includes(jobId))
            .map((line) => `${w.label}: ${line}`),
        );
      expect(
        irregular,
        `jobs claimed more often than attempted:\n${irregular.flatMap((j) => about(j.id)).join("\n")}`,
      ).toEqual([]);
      // One operation per job, except Echo changes of one event that waited together:
      // their jobs share the merge of the newest, which says how many deliveries it stood for.
      const operations = await database.db.selectFrom("syncOperations").select(["id", "reason"]).execute();
      const reasonOf = new Map(operations.map((o) => [o.id, o.reason ?? ""]));
      const jobsByOperation = new Map<string, typeof jobs>();
      for (const j of jobs)
        if (j.operationId) jobsByOperation.set(j.operationId, [...(jobsByOperation.get(j.operationId) ?? []), j]);
      const coveredBy = (reason: string) => Number(/newest of (\d+) deliveries/.exec(reason)?.[1] ?? 1);
      for (const [operationId, shared] of jobsByOperation) {
        const reason = reasonOf.get(operationId) ?? "";
        expect(shared.length, `jobs reporting operation ${operationId} (${reason})`).toBe(coveredBy(reason));
        if (shared.length > 1) {
          expect(new Set(shared.map((j) => `${j.kind}|${j.orderingKey}`))).toEqual(
            new Set([`echo_change|${shared[0]!.orderingKey}`]),
          );
        }
      }

      // Every acknowledged webhook-id is stored once, though A and B both received it.
      const acknowledged: { webhookId: string; endpointId: string }[] = [];
      let cursor: string | null = null;
      do {
        const page: any = await echo("GET", `/_sandbox/deliveries?limit=5000${cursor ? `&cursor=${cursor}` : ""}`);
        acknowledged.push(...page.body.data);
        cursor = page.body.nextCursor;
      } while (cursor);
      const inbox = await database.db.selectFrom("webhookInbox").select(["webhookId", "status"]).execute();
      const distinct = new Set(acknowledged.map((d) => d.webhookId));
      expect(new Set(inbox.map((r) => r.webhookId))).toEqual(distinct);
      expect(inbox.every((r) => r.status === "processed")).toBe(true);
      const toBoth = [...distinct].filter(
        (id) => new Set(acknowledged.filter((d) => d.webhookId === id).map((d) => d.endpointId)).size === 2,
      ).length;
      expect(toBoth, "webhooks acknowledged by both instances").toBeGreaterThan(distinct.size / 2);

      // Each webhook was merged exactly once: one operation per webhook-id, each standing
      // for the deliveries coalesced into it, together every distinct delivery...
      const perWebhook = await database.db
        .selectFrom("syncOperations")
        .select(["webhookId", sql<number>`count(*)`.as("n"), sql<string>`max(reason)`.as("reason")])
        .where("webhookId", "is not", null)
        .where("direction", "=", "echo_to_maestro")
        .groupBy("webhookId")
        .execute();
      expect(
        perWebhook.filter((r) => Number(r.n) !== 1),
        "webhooks merged more than once",
      ).toEqual([]);
      expect(perWebhook.reduce((sum, r) => sum + coveredBy(r.reason ?? ""), 0)).toBe(distinct.size);
      // ...by exactly one of the two workers, and both workers took a share.
      const processedBy = workers.map((w) => logLines(w, "echo change processed").filter((l) => Boolean(l.webhookId)));
      const all = processedBy.flat();
      expect(
        all.reduce((sum, l) => sum + 1 + Number(l.superseded ?? 0), 0),
        "echo changes processed, counted in the workers' logs",
      ).toBe(distinct.size);
      expect(new Set(all.map((l) => l.webhookId)).size).toBe(all.length);
      expect(
        processedBy.every((share) => share.length > 0),
        `shares ${processedBy.map((s) => s.length).join("/")}`,
      ).toBe(true);
      const pushes = workers.map((w) => logLines(w, "push to echo processed").length);
      expect(
        pushes.every((count) => count > 0),
        `push shares ${pushes.join("/")}`,
      ).toBe(true);

      // And the two systems agree.
      const calendar = (await a("GET", "/api/calendar/events?limit=10000")).body.data as any[];
      for (const id of ids) {
        const e = (await echo("GET", `/v1/events/${id}`)).body;
        const cal = calendar.find((c) => c.echoEventId === id);
        expect({ title: cal.title, time: cal.time, room: cal.room, guestCount: cal.guestCount }, id).toEqual({
          title: e.eventName,
          time: e.eventTime,
          room: e.room,
          guestCount: e.guestCount.guaranteed,
        });
      }
      console.log(
        `scale-out: ${jobs.length} jobs (${retries.size} retried), ${distinct.size} webhooks (${toBoth} acknowledged by both instances), echo changes per worker ${processedBy.map((s) => s.length).join("/")}, pushes per worker ${pushes.join("/")}`,
      );
    }, 120_000);

    it("raises Echo's version by exactly one per Maestro change, whichever instance takes it", async () => {
      const beos = (await a("GET", "/api/beos?limit=500")).body.data as any[];
      const chosen = beos.filter((x) => x.echoEventId).slice(0, 4);
      expect(chosen).toHaveLength(4);
      const rounds = 6;
      await Promise.all(
        chosen.map(async (beo, j) => {
          const before = (await echo("GET", `/v1/events/${beo.echoEventId}`)).body.version as number;
          for (let i = 1; i <= rounds; i++) {
            const value = 500 + 10 * j + i;
            const res = await (i % 2 === 0 ? a : b)("PATCH", `/api/beos/${beo.id}`, { event: { guaranteed: value } });
            expect(res.status, JSON.stringify(res.body)).toBe(200);
            await waitUntil(
              `Echo to show ${value}`,
              async () => (await echo("GET", `/v1/events/${beo.echoEventId}`)).body.guestCount.guaranteed === value,
            );
          }
          await settle();
          const after = (await echo("GET", `/v1/events/${beo.echoEventId}`)).body.version as number;
          expect(after - before, `Echo versions written for ${rounds} changes of ${beo.echoEventId}`).toBe(rounds);
        }),
      );
    }, 90_000);

    it("brings live updates to the SSE clients of both instances (LISTEN/NOTIFY)", async () => {
      const signedEvent = (
        await echo("POST", "/v1/events", { ...weddingEvent, eventName: "Live signed", contractStatus: "signed" })
      ).body;
      const openEvent = (await echo("POST", "/v1/events", { ...weddingEvent, eventName: "Live tentative" })).body;
      const beo = await waitUntil(
        "the BEO",
        async () => (await a("GET", `/api/beos?echoEventId=${signedEvent.id}`)).body.data[0],
      );
      await waitUntil(
        "the import",
        async () => (await a("GET", `/api/calendar/events?q=${openEvent.id}`)).body.data[0],
      );
      await settle();
      const streamA = await openStream(urlA, ADMIN_KEY);
      const streamB = await openStream(urlB, ADMIN_KEY);
      try {
        // A user's change through B reaches A's clients (and B's own).
        const patched = await b("PATCH", `/api/beos/${beo.id}`, { header: { eventName: "Changed through B" } });
        expect(patched.status).toBe(200);
        await streamA.waitFor(
          "beo.changed on A",
          (e) => e.type === "beo.changed" && e.data.id === beo.id && e.data.version === patched.body.version,
        );
        await streamA.waitFor(
          "calendar.changed on A",
          (e) => e.type === "calendar.changed" && e.data.id === beo.calendarEventId,
        );
        await streamB.waitFor("beo.changed on B", (e) => e.type === "beo.changed" && e.data.id === beo.id);

        // A local event created through A reaches B.
        const created = await a("POST", "/api/calendar/events", {
          title: "Walk-in tasting",
          date: "2027-03-03",
          time: "15:00",
          room: "Salon",
          guestCount: 8,
        });
        expect(created.status, JSON.stringify(created.body)).toBe(201);
        await streamB.waitFor(
          "calendar.changed on B",
          (e) => e.type === "calendar.changed" && e.data.id === created.body.id,
        );

        // An Echo change is merged by a worker process, a third process: both instances' clients hear it.
        expect((await echo("PATCH", `/v1/events/${openEvent.id}`, { room: "Harbor Terrace" })).status).toBe(200);
        await streamA.waitFor(
          "calendar.changed from a worker on A",
          (e) => e.type === "calendar.changed" && e.data.echoEventId === openEvent.id,
        );
        await streamB.waitFor(
          "calendar.changed from a worker on B",
          (e) => e.type === "calendar.changed" && e.data.echoEventId === openEvent.id,
        );
      } finally {
        await streamA.close();
        await streamB.close();
      }
      expect(instanceA.alive() && instanceB.alive() && workers.every((w) => w.alive())).toBe(true);
    }, 60_000);
  },
);
