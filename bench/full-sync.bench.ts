// Full sync: Maestro's first full reconciliation of 10,000 Echo events (from
// POST /initialize until the reconcile job is done), against merely paging
// through the same events from the sandbox with the same page size.
import type { BenchEnv, MaestroProcess, SandboxProcess } from "./lib/bench-env.ts";
import { call, expectOk, initializeIntegration, waitForFullSync, waitForQueueDrained } from "./lib/http.ts";
import { median, round } from "./lib/stats.ts";

export type FullSyncOptions = { events: number; pageSize: number; baselineRuns: number; timeoutMs: number };
export const DEFAULT_FULL_SYNC: FullSyncOptions = {
  events: 10_000,
  pageSize: 200,
  baselineRuns: 3,
  timeoutMs: 180_000,
};

export type FullSyncResult = {
  baselineS: number;
  baselineRunsS: number[];
  importS: number;
  // Until the follow-up traffic (BEOs of signed contracts announced to Echo, Echo's answers) has settled too.
  settledS: number | null;
  imported: number;
  ratio: number;
  options: FullSyncOptions;
};

// Pages through every Echo event, parsing each page, as a client that does nothing else would.
async function pageThrough(sandbox: SandboxProcess, pageSize: number): Promise<{ seconds: number; count: number }> {
  const started = performance.now();
  let cursor: string | null = null;
  let count = 0;
  for (let pages = 0; pages < 10_000; pages++) {
    const query: URLSearchParams = new URLSearchParams({ limit: String(pageSize), ...(cursor ? { cursor } : {}) });
    const page: { data: unknown[]; nextCursor: string | null } = await expectOk<{
      data: unknown[];
      nextCursor: string | null;
    }>("page", call("GET", `${sandbox.url}/v1/events?${query}`, sandbox.key));
    count += page.data.length;
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return { seconds: (performance.now() - started) / 1000, count };
}

export async function fullSyncBench(
  env: BenchEnv,
  options: FullSyncOptions = DEFAULT_FULL_SYNC,
  log: (line: string) => void = () => undefined,
): Promise<FullSyncResult> {
  const sandbox = await env.sandbox("full-sync");
  let maestro: MaestroProcess | undefined;
  try {
    const seedStarted = performance.now();
    await expectOk(
      "seed",
      call("POST", `${sandbox.url}/_sandbox/seed`, sandbox.key, { count: options.events, seed: 1 }, options.timeoutMs),
    );
    log(
      `full sync: sandbox seeded with ${options.events} events in ${round((performance.now() - seedStarted) / 1000, 1)} s`,
    );

    const runs: number[] = [];
    for (let i = 0; i < options.baselineRuns; i++) {
      const run = await pageThrough(sandbox, options.pageSize);
      if (run.count !== options.events)
        throw new Error(`full sync: paged ${run.count} events, expected ${options.events}`);
      runs.push(run.seconds);
    }
    const baselineS = median(runs);
    log(`full sync baseline (paging ${options.events} events by ${options.pageSize}): ${round(baselineS, 2)} s`);

    maestro = await env.maestro("full-sync", {
      store: await env.store("full-sync"),
      allowedHosts: [new URL(sandbox.url).host],
    });
    if (process.env.BENCH_SQL_STATS) await maestro.request("sqlStatsReset");
    const started = performance.now();
    await initializeIntegration(maestro, sandbox);
    const memory: string[] = [];
    const sampler = process.env.BENCH_DEBUG
      ? setInterval(() => {
          void maestro!
            .request<NodeJS.MemoryUsage>("memory")
            .then((m) =>
              memory.push(
                `${Math.round(m.rss / 1048576)}/${Math.round(m.heapTotal / 1048576)}/${Math.round(m.heapUsed / 1048576)}`,
              ),
            );
        }, 500)
      : undefined;
    await waitForFullSync(maestro, options.timeoutMs);
    if (sampler) {
      clearInterval(sampler);
      console.log(`rss/heapTotal/heapUsed MB: ${memory.join(" ")}`);
    }
    const importS = (performance.now() - started) / 1000;
    if (process.env.BENCH_SQL_STATS) {
      console.log("SQL time during the import:");
      console.table((await maestro.request<{ sql: string }[]>("sqlStats")).slice(0, 20));
    }
    const imported = await maestro.request<number>("calendarCount");
    if (imported !== options.events)
      throw new Error(`full sync: ${imported} calendar events after the reconciliation, expected ${options.events}`);
    log(`full sync Maestro: ${options.events} events imported in ${round(importS, 2)} s`);
    const settledS = await waitForQueueDrained(maestro, 120_000, 100)
      .then(() => round((performance.now() - started) / 1000, 2))
      .catch(() => null);
    return {
      baselineS: round(baselineS, 3),
      baselineRunsS: runs.map((r) => round(r, 3)),
      importS: round(importS, 2),
      settledS,
      imported,
      ratio: round(importS / baselineS, 2),
      options,
    };
  } finally {
    await env.stop(maestro);
    await env.stop(sandbox);
  }
}
