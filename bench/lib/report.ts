import type { FullSyncResult } from "../full-sync.bench.ts";
import type { IngestResult } from "../ingest.bench.ts";
import type { PropagationResult } from "../propagation.bench.ts";
import type { SearchResult } from "../search.bench.ts";
import type { MemoryAtPeak } from "./bench-env.ts";

export type BackendResults = {
  dialect: "sqlite" | "postgres";
  ingest?: IngestResult;
  propagation?: PropagationResult;
  fullSync?: FullSyncResult;
  search?: SearchResult;
  memory?: { peakRssMb: number; byProcess: { name: string; mb: number; atPeak?: MemoryAtPeak }[] };
  errors: Record<string, string>;
  durationS: number;
};

export type Row = { figure: string; sqlite: string; postgres: string; target: string; pass: string };

type Figure = {
  figure: string;
  target: string;
  value: (r: BackendResults) => number | undefined;
  show: (v: number, r: BackendResults) => string;
  ok?: (v: number) => boolean;
};

const FIGURES: Figure[] = [
  {
    figure: "ingest: acknowledged webhooks/s ÷ bare node:http (worker on)",
    target: "≥ 0.5",
    value: (r) => r.ingest?.ratio,
    show: (v, r) => `${v.toFixed(2)} (${r.ingest!.workerOn.rps} vs ${r.ingest!.baselineRps}/s)`,
    ok: (v) => v >= 0.5,
  },
  {
    figure: "ingest, worker off (receiver alone)",
    target: "≥ 0.5",
    value: (r) => r.ingest?.ratioWorkerOff,
    show: (v, r) => `${v.toFixed(2)} (${r.ingest!.workerOff.rps}/s)`,
    ok: (v) => v >= 0.5,
  },
  {
    figure: "propagation p99 at 200 changes/s (Echo PATCH → calendar API)",
    target: "≤ 100 ms",
    value: (r) => r.propagation?.maestro.p99Ms,
    show: (v, r) => `${v} ms (p50 ${r.propagation!.maestro.p50Ms} ms)`,
    ok: (v) => v <= 100,
  },
  {
    figure: "propagation p99 ÷ sandbox → bare receiver p99",
    target: "—",
    value: (r) => r.propagation?.ratioP99,
    show: (v, r) => `${v.toFixed(1)}× (baseline ${r.propagation!.baseline.p99Ms} ms)`,
  },
  {
    figure: "full sync: import 10,000 events ÷ paging them",
    target: "≤ 2×",
    value: (r) => r.fullSync?.ratio,
    show: (v, r) => `${v.toFixed(1)}× (${r.fullSync!.importS} s vs ${r.fullSync!.baselineS} s)`,
    ok: (v) => v <= 2,
  },
  {
    figure: "search p95, q over 100,000 events",
    target: "≤ 50 ms",
    value: (r) => r.search?.search.p95Ms,
    show: (v, r) => `${v} ms (${r.search!.ratioP95}× /healthz)`,
    ok: (v) => v <= 50,
  },
  {
    figure: "memory: Maestro peak RSS",
    target: "≤ 250 MB",
    value: (r) => r.memory?.peakRssMb,
    show: (v) => `${v} MB`,
    ok: (v) => v <= 250,
  },
];

export function tableRows(results: BackendResults[]): Row[] {
  const of = (d: "sqlite" | "postgres") => results.find((r) => r.dialect === d);
  return FIGURES.map((f) => {
    const cell = (r: BackendResults | undefined) => {
      if (!r) return "not run";
      const v = f.value(r);
      return v === undefined || Number.isNaN(v) ? "error" : f.show(v, r);
    };
    const verdict = (r: BackendResults | undefined) => {
      if (!r || !f.ok) return undefined;
      const v = f.value(r);
      return v === undefined || Number.isNaN(v) ? "error" : f.ok(v) ? "pass" : "FAIL";
    };
    const verdicts = [verdict(of("sqlite")), verdict(of("postgres"))].filter((v): v is string => v !== undefined);
    return {
      figure: f.figure,
      sqlite: cell(of("sqlite")),
      postgres: cell(of("postgres")),
      target: f.target,
      pass: verdicts.length ? verdicts.join(" / ") : "—",
    };
  });
}

export function textTable(rows: Row[]): string {
  const header: Row = {
    figure: "figure",
    sqlite: "SQLite",
    postgres: "PostgreSQL",
    target: "target",
    pass: "pass/fail (SQLite / PG)",
  };
  const all = [header, ...rows];
  const keys = ["figure", "sqlite", "postgres", "target", "pass"] as const;
  const width = keys.map((k) => Math.max(...all.map((r) => r[k].length)));
  const line = (r: Row) => keys.map((k, i) => r[k].padEnd(width[i]!)).join(" | ");
  return [line(header), width.map((w) => "-".repeat(w)).join("-|-"), ...rows.map(line)].join("\n");
}

export function markdownTable(rows: Row[]): string {
  const keys = ["figure", "sqlite", "postgres", "target", "pass"] as const;
  return [
    "| figure | SQLite | PostgreSQL | target | pass/fail (SQLite / PG) |",
    "|---|---|---|---|---|",
    ...rows.map((r) => `| ${keys.map((k) => r[k].replace(/\|/g, "\\|")).join(" | ")} |`),
  ].join("\n");
}
