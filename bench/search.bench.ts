// Search: the calendar's `q` over 100,000 events, as the web app asks it (the
// search list: q and limit 50; the board: q within the visible month or week),
// against the same client calling GET /healthz (the HTTP overhead alone).
import { lastNames, salesReps } from "../apps/echo-sandbox/src/sandbox/seed-catalog.ts";
import type { BenchEnv, MaestroProcess } from "./lib/bench-env.ts";
import { loadSearchCorpus } from "./lib/search-data.ts";
import { percentile, round } from "./lib/stats.ts";

export type SearchOptions = { events: number; rounds: number };
export const DEFAULT_SEARCH: SearchOptions = { events: 100_000, rounds: 3 };

type Timing = { p50Ms: number; p95Ms: number; p99Ms: number; maxMs: number; requests: number };
export type SearchResult = {
  baseline: Timing;
  search: Timing;
  byShape: Record<string, Timing>;
  slowest: { query: string; ms: number; results: number }[];
  ratioP95: number;
  loadS: number;
  options: SearchOptions;
};

function timing(samples: number[]): Timing {
  return {
    p50Ms: round(percentile(samples, 50), 2),
    p95Ms: round(percentile(samples, 95), 2),
    p99Ms: round(percentile(samples, 99), 2),
    maxMs: round(Math.max(...samples), 2),
    requests: samples.length,
  };
}

// Realistic terms: client and sales rep names, Echo ids, rooms, short and long fragments.
function terms(echoIds: string[], clientNames: string[]): string[] {
  return [
    ...lastNames.slice(0, 6),
    ...clientNames.slice(0, 4),
    ...salesReps.slice(0, 3).map((r) => r.name),
    "maya",
    ...echoIds.filter((_, i) => i % Math.max(1, Math.floor(echoIds.length / 6)) === 0).slice(0, 6),
    "Grand Ballroom",
    "Atlas Room",
    "terrace",
    "an",
    "ro",
    "wed",
    "gala",
    "kickoff",
    "wedding reception",
    "annual conference",
    "Northwind Traders",
  ];
}

function queries(maestro: MaestroProcess, q: string[]): { shape: string; path: string }[] {
  const out: { shape: string; path: string }[] = [];
  q.forEach((term, i) => {
    const enc = encodeURIComponent(term);
    // A month and a week at different places in the four years of data.
    const month = new Date(Date.UTC(2025, (i * 5) % 36, 1));
    const monthEnd = new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 0));
    const week = new Date(Date.UTC(2026, 0, 5 + ((i * 17) % 300)));
    const weekEnd = new Date(week.getTime() + 6 * 86_400_000);
    const d = (x: Date) => x.toISOString().slice(0, 10);
    out.push({ shape: "search list (q, limit 50)", path: `/api/calendar/events?q=${enc}&limit=50` });
    out.push({
      shape: "month board (q, from/to)",
      path: `/api/calendar/events?from=${d(month)}&to=${d(monthEnd)}&q=${enc}&limit=5000`,
    });
    out.push({
      shape: "week board (q, from/to)",
      path: `/api/calendar/events?from=${d(week)}&to=${d(weekEnd)}&q=${enc}&limit=5000`,
    });
  });
  void maestro;
  return out;
}

async function timed(url: string, key: string): Promise<{ ms: number; results: number }> {
  const started = performance.now();
  const res = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
  const body = await res.text();
  const ms = performance.now() - started;
  if (res.status !== 200) throw new Error(`search: ${url} answered ${res.status} ${body.slice(0, 200)}`);
  const results = body.startsWith('{"data":[') ? (body.match(/"id":"cal_/g)?.length ?? 0) : 0;
  return { ms, results };
}

export async function searchBench(
  env: BenchEnv,
  options: SearchOptions = DEFAULT_SEARCH,
  log: (line: string) => void = () => undefined,
): Promise<SearchResult> {
  const store = await env.store("search");
  const corpus = await loadSearchCorpus(store, options.events);
  log(`search: ${options.events} calendar events written in ${round(corpus.insertS, 1)} s`);
  const maestro = await env.maestro("search", { store, worker: false });
  try {
    const list = queries(maestro, terms(corpus.echoIds, corpus.clientNames));
    // Warm-up: one pass of each (and of the baseline), not measured.
    for (const q of list) await timed(maestro.url + q.path, maestro.opsKey);
    for (let i = 0; i < 50; i++) await timed(`${maestro.url}/healthz`, maestro.opsKey);
    const baseline: number[] = [];
    const search: number[] = [];
    const byShape = new Map<string, number[]>();
    const slowest: { query: string; ms: number; results: number }[] = [];
    // Interleaved, so both see the same moments of a noisy machine.
    for (let pass = 0; pass < options.rounds; pass++) {
      for (const q of list) {
        baseline.push((await timed(`${maestro.url}/healthz`, maestro.opsKey)).ms);
        const t = await timed(maestro.url + q.path, maestro.opsKey);
        search.push(t.ms);
        byShape.set(q.shape, [...(byShape.get(q.shape) ?? []), t.ms]);
        slowest.push({
          query: decodeURIComponent(q.path.replace("/api/calendar/events?", "")),
          ms: round(t.ms, 1),
          results: t.results,
        });
      }
    }
    slowest.sort((a, b) => b.ms - a.ms);
    const result: SearchResult = {
      baseline: timing(baseline),
      search: timing(search),
      byShape: Object.fromEntries([...byShape].map(([k, v]) => [k, timing(v)])),
      slowest: slowest.slice(0, 8),
      ratioP95: 0,
      loadS: round(corpus.insertS, 1),
      options,
    };
    result.ratioP95 = round(result.search.p95Ms / Math.max(result.baseline.p95Ms, 0.01), 1);
    log(
      `search: p95 ${result.search.p95Ms} ms (healthz p95 ${result.baseline.p95Ms} ms) over ${search.length} queries`,
    );
    return result;
  } finally {
    await env.stop(maestro);
  }
}
