// Ingest: signed webhooks per second that Maestro acknowledges durably, against a
// bare node:http server answering 204 to the very same requests from the same
// load generator (autocannon, same connections and duration). The three servers
// (bare, Maestro with its worker, Maestro without) are measured in alternation,
// several rounds, so a noisy neighbour hurts them alike; figures are medians.
import autocannon, { type AutocannonResult } from "autocannon";
import { WEBHOOK_SECRET, type BenchEnv, type MaestroProcess } from "./lib/bench-env.ts";
import { startChild, type Child } from "./lib/child-process.ts";
import { freePort } from "./lib/free-port.ts";
import { initializeIntegration, waitForQueueDrained } from "./lib/http.ts";
import { median, round } from "./lib/stats.ts";
import { webhookGenerator } from "./lib/webhook-fixtures.ts";

export type IngestOptions = {
  connections: number;
  durationS: number;
  rounds: number;
  warmupS: number;
  eventPool: number;
  drainTimeoutS: number;
};
export const DEFAULT_INGEST: IngestOptions = {
  connections: 16,
  durationS: 3,
  rounds: 3,
  warmupS: 1,
  eventPool: 1000,
  drainTimeoutS: 30,
};

type Load = { rps: number; acknowledged: number; non2xx: number; errors: number; p50Ms: number; p99Ms: number };
export type IngestResult = {
  baselineRps: number;
  workerOn: { rps: number; stored: number; drainS: (number | null)[]; rounds: Load[] };
  workerOff: { rps: number; stored: number; rounds: Load[] };
  baselineRounds: Load[];
  ratio: number;
  ratioWorkerOff: number;
  options: IngestOptions;
};

let runs = 0;

// Fires signed webhooks at `url` (each a distinct webhook-id and a valid signature).
async function fire(url: string, path: string, options: IngestOptions, durationS: number): Promise<Load> {
  const next = webhookGenerator(WEBHOOK_SECRET, `ing${process.pid}r${++runs}`, options.eventPool);
  const result: AutocannonResult = await autocannon({
    url,
    connections: options.connections,
    duration: durationS,
    timeout: 10,
    requests: [
      {
        method: "POST",
        path,
        setupRequest: (request) => {
          const w = next();
          return {
            ...request,
            body: w.body,
            headers: { ...request.headers, "content-type": "application/json", ...w.headers },
          };
        },
      },
    ],
  });
  const acknowledged = result["2xx"];
  return {
    rps: round(acknowledged / result.duration, 1),
    acknowledged,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
  };
}

export async function ingestBench(
  env: BenchEnv,
  options: IngestOptions = DEFAULT_INGEST,
  log: (line: string) => void = () => undefined,
): Promise<IngestResult> {
  const sandbox = await env.sandbox("ingest");
  let bare: Child | undefined;
  const maestros: MaestroProcess[] = [];
  try {
    const port = await freePort();
    bare = await startChild(
      "ingest bare-http",
      "bare-server-main.ts",
      { PORT: String(port) },
      env.logFile("ingest-bare"),
    );
    const allowedHosts = [new URL(sandbox.url).host];
    const on = await env.maestro("ingest-worker-on", {
      store: await env.store("ingest-on"),
      worker: true,
      allowedHosts,
    });
    maestros.push(on);
    const off = await env.maestro("ingest-worker-off", {
      store: await env.store("ingest-off"),
      worker: false,
      allowedHosts,
    });
    maestros.push(off);
    await initializeIntegration(on, sandbox, { waitForFullSync: true });
    await initializeIntegration(off, sandbox);
    const receiver = (m: MaestroProcess) =>
      `/api/echo-integration/webhooks/echo-crm?org=${encodeURIComponent(m.orgId)}`;
    const bareUrl = String(bare.info.url);

    // Warm-up (JIT, connections, caches), not measured.
    await fire(bareUrl, "/webhook", options, options.warmupS);
    await fire(on.url, receiver(on), options, options.warmupS);
    await waitForQueueDrained(on, options.drainTimeoutS * 1000, 100).catch(() => undefined);
    await fire(off.url, receiver(off), options, options.warmupS);

    const baselineRounds: Load[] = [];
    const onRounds: Load[] = [];
    const offRounds: Load[] = [];
    const drainS: (number | null)[] = [];
    let storedOn = 0;
    let storedOff = 0;
    for (let r = 0; r < options.rounds; r++) {
      baselineRounds.push(await fire(bareUrl, "/webhook", options, options.durationS));

      const beforeOn = await on.request<number>("inboxCount");
      const loadOn = await fire(on.url, receiver(on), options, options.durationS);
      const stored = (await on.request<number>("inboxCount")) - beforeOn;
      // No 2xx before the commit: every acknowledged delivery is in the inbox.
      if (stored < loadOn.acknowledged)
        throw new Error(`ingest: ${loadOn.acknowledged} acknowledged but only ${stored} stored`);
      storedOn += stored;
      onRounds.push(loadOn);
      // The worker's backlog is processed before the next round (bounded), so rounds start alike.
      const drainStarted = performance.now();
      drainS.push(
        await waitForQueueDrained(on, options.drainTimeoutS * 1000, 100)
          .then(() => round((performance.now() - drainStarted) / 1000, 1))
          .catch(() => null),
      );

      const beforeOff = await off.request<number>("inboxCount");
      const loadOff = await fire(off.url, receiver(off), options, options.durationS);
      const storedNow = (await off.request<number>("inboxCount")) - beforeOff;
      if (storedNow < loadOff.acknowledged)
        throw new Error(`ingest: ${loadOff.acknowledged} acknowledged but only ${storedNow} stored`);
      storedOff += storedNow;
      offRounds.push(loadOff);
      log(
        `ingest round ${r + 1}: bare ${baselineRounds[r]!.rps}/s, Maestro worker on ${loadOn.rps}/s (backlog drained in ${drainS[r] ?? `> ${options.drainTimeoutS}`} s), worker off ${loadOff.rps}/s`,
      );
    }
    const ratios = (rounds: Load[]) => rounds.map((l, i) => l.rps / baselineRounds[i]!.rps);
    return {
      baselineRps: round(median(baselineRounds.map((l) => l.rps)), 1),
      workerOn: { rps: round(median(onRounds.map((l) => l.rps)), 1), stored: storedOn, drainS, rounds: onRounds },
      workerOff: { rps: round(median(offRounds.map((l) => l.rps)), 1), stored: storedOff, rounds: offRounds },
      baselineRounds,
      ratio: round(median(ratios(onRounds)), 3),
      ratioWorkerOff: round(median(ratios(offRounds)), 3),
      options,
    };
  } finally {
    for (const m of maestros) await env.stop(m);
    await bare?.stop();
    await env.stop(sandbox);
  }
}
