// Propagation: an Echo change (PATCH to the sandbox) until Maestro's calendar API
// shows the new value, at a steady 200 changes/s over distinct events. Maestro's
// live stream (SSE) says when to look; a GET confirms the value. Baseline: the
// sandbox's webhook delivery alone, to a bare node:http receiver.
import http from "node:http";
import { WEBHOOK_SECRET, type BenchEnv, type MaestroProcess, type SandboxProcess } from "./lib/bench-env.ts";
import { freePort } from "./lib/free-port.ts";
import { call, expectOk, initializeIntegration, waitForQueueDrained } from "./lib/http.ts";
import { openSse } from "./lib/sse-client.ts";
import { percentile, round, sleep } from "./lib/stats.ts";

// warmupS: changes sent at the same rate before the measured ones, awaited but not
// counted. The first changes of a run wait for what happens once: the sandbox's first
// connection to the receiver and code compiled on first use (the bare receiver's first
// ~45 deliveries took 30–190 ms, every later one under 10 ms) and, in Maestro, the
// first runs of the per-event merge, which the bulk first import does not use.
export type PropagationOptions = {
  ratePerSecond: number;
  warmupS: number;
  durationS: number;
  events: number;
  timeoutMs: number;
};
export const DEFAULT_PROPAGATION: PropagationOptions = {
  ratePerSecond: 200,
  warmupS: 2,
  durationS: 8,
  events: 200,
  timeoutMs: 10_000,
};

export type Breakdown = {
  deliveredP50Ms: number;
  deliveredP99Ms: number;
  processedP50Ms: number;
  processedP99Ms: number;
};
type Latencies = {
  breakdown?: Breakdown;
  count: number;
  confirmed: number;
  timedOut: number;
  patchErrors: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  achievedRate: number;
};
export type PropagationResult = {
  baseline: Latencies;
  maestro: Latencies;
  ratioP99: number;
  options: PropagationOptions;
};

type Change = {
  echoId: string;
  marker: string;
  warmup: boolean;
  sentAt: number;
  ackedAt?: number;
  ackedWall?: number;
  seenAt?: number;
  // The PATCH failed (no 200).
  failed?: boolean;
};

// Sends PATCHes at a fixed rate (open loop: a slow answer does not slow the schedule).
async function pacedChanges(
  sandbox: SandboxProcess,
  ids: string[],
  options: PropagationOptions,
  tag: string,
  onAcked: (change: Change) => void,
  onSent: (change: Change) => void = () => undefined,
): Promise<{ changes: Change[]; achievedRate: number }> {
  const warmup = Math.round(options.ratePerSecond * options.warmupS);
  const total = warmup + Math.round(options.ratePerSecond * options.durationS);
  const interval = 1000 / options.ratePerSecond;
  const changes: Change[] = [];
  const inflight: Promise<void>[] = [];
  const started = performance.now();
  let measuredFrom = started;
  for (let i = 0; i < total; i++) {
    const due = started + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const change: Change = {
      echoId: ids[i % ids.length]!,
      marker: `Bench ${tag} change ${i}`,
      warmup: i < warmup,
      sentAt: performance.now(),
    };
    if (i === warmup) measuredFrom = change.sentAt;
    changes.push(change);
    onSent(change);
    inflight.push(
      fetch(`${sandbox.url}/v1/events/${change.echoId}`, {
        method: "PATCH",
        headers: { authorization: `Bearer ${sandbox.key}`, "content-type": "application/json" },
        body: JSON.stringify({ eventName: change.marker }),
        signal: AbortSignal.timeout(10_000),
      }).then(
        async (res) => {
          await res.arrayBuffer();
          if (res.status !== 200) {
            change.failed = true;
            return;
          }
          change.ackedAt = performance.now();
          change.ackedWall = Date.now();
          onAcked(change);
        },
        () => void (change.failed = true),
      ),
    );
  }
  // The rate of the measured changes (the warm-up's are not counted anywhere).
  const achievedRate = (total - warmup) / ((performance.now() - measuredFrom) / 1000);
  await Promise.all(inflight);
  return { changes, achievedRate };
}

function summarize(all: Change[], achievedRate: number): Latencies {
  const changes = all.filter((c) => !c.warmup);
  const latencies = changes
    .filter((c) => c.ackedAt !== undefined && c.seenAt !== undefined)
    .map((c) => Math.max(0, c.seenAt! - c.ackedAt!));
  return {
    count: changes.length,
    confirmed: latencies.length,
    timedOut: changes.filter((c) => c.ackedAt !== undefined && c.seenAt === undefined).length,
    patchErrors: changes.filter((c) => c.failed).length,
    p50Ms: round(percentile(latencies, 50), 1),
    p99Ms: round(percentile(latencies, 99), 1),
    maxMs: round(Math.max(...latencies), 1),
    achievedRate: round(achievedRate, 1),
  };
}

// Waits (bounded) until every acknowledged change was seen.
async function settle(changes: Change[], timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && changes.some((c) => c.ackedAt !== undefined && c.seenAt === undefined))
    await sleep(20);
}

async function baselineRun(sandbox: SandboxProcess, ids: string[], options: PropagationOptions): Promise<Latencies> {
  const byMarker = new Map<string, Change>();
  const arrivals = new Map<string, number>();
  const port = await freePort();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const at = performance.now();
      res.statusCode = 204;
      res.end();
      try {
        const marker = (
          JSON.parse(Buffer.concat(chunks).toString("utf8")) as { data: { event: { eventName: string } } }
        ).data.event.eventName;
        const change = byMarker.get(marker);
        if (change) change.seenAt ??= at;
        else if (!arrivals.has(marker)) arrivals.set(marker, at); // before the PATCH's answer reached us
      } catch {
        // not one of ours
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const endpoint = await expectOk<{ id: string }>(
    "register baseline endpoint",
    call("POST", `${sandbox.url}/v1/webhook-endpoints`, sandbox.key, {
      url: `http://127.0.0.1:${port}/hook`,
      secret: WEBHOOK_SECRET,
    }),
  );
  try {
    const run = await pacedChanges(sandbox, ids, options, "baseline", (change) => {
      byMarker.set(change.marker, change);
      const early = arrivals.get(change.marker);
      if (early !== undefined) change.seenAt = early;
    });
    await settle(run.changes, options.timeoutMs);
    return summarize(run.changes, run.achievedRate);
  } finally {
    await call("DELETE", `${sandbox.url}/v1/webhook-endpoints/${endpoint.id}`, sandbox.key);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

async function maestroRun(
  maestro: MaestroProcess,
  sandbox: SandboxProcess,
  ids: string[],
  options: PropagationOptions,
): Promise<Latencies> {
  // Echo id → Maestro calendar event id, once.
  const calendarIds = new Map<string, string>();
  for (const echoId of ids) {
    const found = await expectOk<{ data: { id: string }[] }>(
      "find event",
      call("GET", `${maestro.url}/api/calendar/events?q=${echoId}`, maestro.opsKey),
    );
    if (!found.data[0]) throw new Error(`propagation: ${echoId} is not in Maestro's calendar`);
    calendarIds.set(echoId, found.data[0].id);
  }
  const outstanding = new Map<string, Change[]>(); // by Echo id, oldest first
  const checking = new Set<string>();
  const lastLook = new Map<string, number>();
  const recheck = new Set<string>();
  // Reads the event; every outstanding change up to the one now visible is confirmed.
  let closed = false;
  const confirm = async (echoId: string): Promise<void> => {
    if (closed) return;
    if (checking.has(echoId)) {
      recheck.add(echoId);
      return;
    }
    checking.add(echoId);
    try {
      do {
        recheck.delete(echoId);
        lastLook.set(echoId, performance.now());
        let title: string;
        let at: number;
        try {
          const res = await fetch(`${maestro.url}/api/calendar/events/${calendarIds.get(echoId)}`, {
            headers: { authorization: `Bearer ${maestro.opsKey}` },
            signal: AbortSignal.timeout(10_000),
          });
          at = performance.now();
          if (res.status !== 200) {
            await res.arrayBuffer();
            continue;
          }
          title = ((await res.json()) as { title: string }).title;
        } catch {
          continue; // counted as not seen if it never succeeds
        }
        const list = outstanding.get(echoId) ?? [];
        const index = list.findIndex((c) => c.marker === title);
        if (index >= 0) {
          for (const c of list.splice(0, index + 1)) c.seenAt ??= at;
        }
      } while (recheck.has(echoId));
    } finally {
      checking.delete(echoId);
    }
  };
  const sse = await openSse(`${maestro.url}/api/stream`, maestro.opsKey, (e) => {
    if (e.event !== "calendar.changed") return;
    try {
      const echoId = (JSON.parse(e.data) as { echoEventId?: string }).echoEventId;
      if (echoId && outstanding.get(echoId)?.length) void confirm(echoId);
    } catch {
      // ignore
    }
  });
  // A change whose live event was missed is still found, by a slow sweep: one look
  // per event per second at most, and only at events nobody looked at for a second
  // (a sweep that piled on whenever Maestro fell behind would keep it behind).
  const sweep = setInterval(() => {
    const now = performance.now();
    for (const [echoId, list] of outstanding)
      if (list[0]?.ackedAt !== undefined && now - list[0].ackedAt > 1000 && now - (lastLook.get(echoId) ?? 0) > 1000)
        void confirm(echoId);
  }, 1000);
  try {
    // Outstanding from the moment the PATCH is sent: a live event that arrives before
    // the PATCH's answer is not missed (its look at the event counts as seen at once).
    const run = await pacedChanges(
      sandbox,
      ids,
      options,
      "maestro",
      () => undefined,
      (change) => {
        const list = outstanding.get(change.echoId) ?? [];
        list.push(change);
        outstanding.set(change.echoId, list);
      },
    );
    await settle(run.changes, options.timeoutMs);
    const result = summarize(run.changes, run.achievedRate);
    // Where the time went: PATCH answered → stored in Maestro's inbox → processed by the worker.
    const times = new Map(
      (
        await maestro.request<{ eventName?: string; receivedAt: number; processedAt: number | null }[]>("inboxTimes")
      ).map((t) => [t.eventName, t]),
    );
    const delivered: number[] = [];
    const processed: number[] = [];
    for (const c of run.changes) {
      if (c.warmup) continue;
      const t = times.get(c.marker);
      if (!t || c.ackedWall === undefined) continue;
      delivered.push(Math.max(0, t.receivedAt - c.ackedWall));
      if (t.processedAt !== null) processed.push(t.processedAt - t.receivedAt);
    }
    result.breakdown = {
      deliveredP50Ms: percentile(delivered, 50),
      deliveredP99Ms: percentile(delivered, 99),
      processedP50Ms: percentile(processed, 50),
      processedP99Ms: percentile(processed, 99),
    };
    return result;
  } finally {
    closed = true;
    clearInterval(sweep);
    sse.close();
  }
}

export async function propagationBench(
  env: BenchEnv,
  options: PropagationOptions = DEFAULT_PROPAGATION,
  log: (line: string) => void = () => undefined,
): Promise<PropagationResult> {
  const sandbox = await env.sandbox("propagation");
  let maestro: MaestroProcess | undefined;
  try {
    const seeded = await expectOk<{ ids: string[] }>(
      "seed",
      call("POST", `${sandbox.url}/_sandbox/seed`, sandbox.key, { count: options.events, seed: 7 }),
    );
    const ids = seeded.ids;
    const baseline = await baselineRun(sandbox, ids, options);
    log(
      `propagation baseline (sandbox → bare receiver): p50 ${baseline.p50Ms} ms, p99 ${baseline.p99Ms} ms over ${baseline.confirmed}/${baseline.count} changes`,
    );

    maestro = await env.maestro("propagation", {
      store: await env.store("propagation"),
      allowedHosts: [new URL(sandbox.url).host],
    });
    await initializeIntegration(maestro, sandbox, { waitForFullSync: true });
    // The import's own traffic (BEOs for signed contracts, their webhooks to Echo and back) settles first.
    await waitForQueueDrained(maestro, 60_000);
    await sleep(500);
    await waitForQueueDrained(maestro, 60_000);
    const before = { jobs: await maestro.request("jobKinds"), inbox: await maestro.request("inboxTypes") };
    const measured = await maestroRun(maestro, sandbox, ids, options);
    if (process.env.BENCH_DEBUG) {
      console.log("before", JSON.stringify(before));
      console.log(
        "after",
        JSON.stringify({ jobs: await maestro.request("jobKinds"), inbox: await maestro.request("inboxTypes") }),
      );
      console.log(
        "sandbox queue",
        JSON.stringify((await call("GET", `${sandbox.url}/_sandbox/queue`, sandbox.key)).body),
      );
    }
    log(
      `propagation Maestro: p50 ${measured.p50Ms} ms, p99 ${measured.p99Ms} ms over ${measured.confirmed}/${measured.count} changes (${measured.timedOut} not seen)`,
    );
    return { baseline, maestro: measured, ratioP99: round(measured.p99Ms / Math.max(baseline.p99Ms, 0.1), 2), options };
  } finally {
    await env.stop(maestro);
    await env.stop(sandbox);
  }
}
