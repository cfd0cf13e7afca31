// `npm run bench`: every benchmark on SQLite and, when it answers, on PostgreSQL.
// Each figure is a ratio to a baseline measured in the same run (the machine may
// be shared and noisy). Prints a table and writes bench/results/latest.json.
//   --db sqlite|postgres|both   (default: both when PostgreSQL answers)
//   --only ingest,propagation,full-sync,search
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { fullSyncBench } from "./full-sync.bench.ts";
import { ingestBench } from "./ingest.bench.ts";
import { BenchEnv, PG_ADMIN_URL, postgresAvailable, type Dialect } from "./lib/bench-env.ts";
import { describeMachine } from "./lib/machine.ts";
import { markdownTable, tableRows, textTable, type BackendResults } from "./lib/report.ts";
import { propagationBench } from "./propagation.bench.ts";
import { searchBench } from "./search.bench.ts";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ALL = ["search", "ingest", "propagation", "full-sync"] as const;
type BenchName = (typeof ALL)[number];

const { values } = parseArgs({ options: { db: { type: "string", default: "both" }, only: { type: "string" } } });
const only = new Set((values.only ? values.only.split(",") : ALL).map((s) => s.trim()) as BenchName[]);
const started = performance.now();
const log = (line: string) =>
  console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

const dialects: Dialect[] = [];
if (values.db !== "postgres") dialects.push("sqlite");
if (values.db !== "sqlite") {
  if (await postgresAvailable()) dialects.push("postgres");
  else log(`PostgreSQL does not answer at ${PG_ADMIN_URL}: SQLite only`);
}

const machineBefore = describeMachine();
log(
  `machine: ${machineBefore.cpuModel}, ${machineBefore.cores} cores, ${machineBefore.memoryGiB} GiB, Node ${machineBefore.node}, load ${machineBefore.loadAverage.join(" ")}`,
);

const results: BackendResults[] = [];
let current: BenchEnv | undefined;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping`);
    void (current?.close() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

for (const dialect of dialects) {
  const env = new BenchEnv(dialect);
  current = env;
  const backendStarted = performance.now();
  const result: BackendResults = { dialect, errors: {}, durationS: 0 };
  const step = async (name: BenchName, run: () => Promise<void>) => {
    if (!only.has(name)) return;
    log(`${dialect}: ${name}`);
    try {
      await run();
    } catch (err) {
      result.errors[name] = err instanceof Error ? err.message : String(err);
      log(`${dialect}: ${name} failed: ${result.errors[name]}`);
    }
  };
  const say = (line: string) => log(`${dialect}: ${line}`);
  try {
    await step("search", async () => void (result.search = await searchBench(env, undefined, say)));
    await step("ingest", async () => void (result.ingest = await ingestBench(env, undefined, say)));
    await step("propagation", async () => void (result.propagation = await propagationBench(env, undefined, say)));
    await step("full-sync", async () => void (result.fullSync = await fullSyncBench(env, undefined, say)));
  } finally {
    const peak = env.peakMaestroRss();
    result.memory = { peakRssMb: Math.round((peak.bytes / 1024 / 1024) * 10) / 10, byProcess: peak.byProcess };
    await env.close().catch((err: unknown) => log(`cleanup: ${String(err)}`));
    current = undefined;
  }
  result.durationS = Math.round((performance.now() - backendStarted) / 1000);
  results.push(result);
  // No Maestro may have started (e.g. its database could not be created): no top process then.
  const top = result.memory?.byProcess.reduce<(typeof result.memory.byProcess)[number] | undefined>(
    (a, b) => (!a || b.mb > a.mb ? b : a),
    undefined,
  );
  log(
    `${dialect}: done in ${result.durationS} s; Maestro peak RSS ${result.memory?.peakRssMb} MB` +
      (top?.atPeak
        ? ` (${top.name}; V8 heap ${top.atPeak.heapUsedMb} MB used of ${top.atPeak.heapTotalMb} MB at its highest RSS)`
        : ""),
  );
}

const rows = tableRows(results);
console.log("\n" + textTable(rows) + "\n");
const machine = { ...machineBefore, loadAverageAfter: describeMachine().loadAverage };
const report = {
  generatedAt: new Date().toISOString(),
  command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`,
  machine,
  durationS: Math.round((performance.now() - started) / 1000),
  notes: [
    "Every Maestro runs in its own child process (node --import tsx), peak RSS read from /proc/<pid>/status VmHWM.",
    "The load generator, the baselines and Maestro share the same machine: figures are ratios to baselines measured in the same run.",
    `Maestro log level: ${process.env.BENCH_LOG_LEVEL ?? "warn"}; API rate limit raised for the bench's own API key.`,
  ],
  table: rows,
  markdownTable: markdownTable(rows),
  results,
};
mkdirSync(path.join(HERE, "results"), { recursive: true });
const file = path.join(HERE, "results", "latest.json");
writeFileSync(file, JSON.stringify(report, null, 2) + "\n");
log(`wrote ${path.relative(process.cwd(), file)} (${report.durationS} s in all)`);
