import SQLite from "better-sqlite3";

// Diagnostics (BENCH_SQL_STATS=1): time spent in SQLite per statement text, to find
// which queries a benchmark's time goes to. Patches better-sqlite3's prepare.
export type SqlStat = { sql: string; calls: number; totalMs: number; maxMs: number; over5Ms: number };
const stats = new Map<string, SqlStat>();

export function installSqlStats(): void {
  const proto = SQLite.prototype as unknown as { prepare(this: SQLite.Database, text: string): SQLite.Statement };
  const prepare = proto.prepare;
  proto.prepare = function (this: SQLite.Database, text: string) {
    const statement = prepare.call(this, text);
    const entry = stats.get(text) ?? {
      sql: text.replace(/\s+/g, " ").slice(0, 120),
      calls: 0,
      totalMs: 0,
      maxMs: 0,
      over5Ms: 0,
    };
    stats.set(text, entry);
    for (const method of ["all", "run", "get"] as const) {
      const original = statement[method] as (...args: unknown[]) => unknown;
      (statement as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
        const started = performance.now();
        try {
          return original.apply(statement, args);
        } finally {
          const ms = performance.now() - started;
          entry.calls++;
          entry.totalMs += ms;
          entry.maxMs = Math.max(entry.maxMs, ms);
          if (ms > 5) entry.over5Ms++;
        }
      };
    }
    return statement;
  };
}

// Starts the counts over (a benchmark's phase measured alone).
export function resetSqlStats(): void {
  for (const entry of stats.values()) Object.assign(entry, { calls: 0, totalMs: 0, maxMs: 0, over5Ms: 0 });
}

export function sqlStats(top = 25): SqlStat[] {
  return [...stats.values()]
    .sort((a, b) => b.totalMs - a.totalMs)
    .slice(0, top)
    .map((s) => ({ ...s, totalMs: Math.round(s.totalMs), maxMs: Math.round(s.maxMs) }));
}
