import pg from "pg";
const c = new pg.Client({ connectionString: "postgres://postgres@127.0.0.1:5432/test" });
await c.connect();
const counts = new Map<string, number>();
const end = Date.now() + Number(process.argv[2] ?? 30) * 1000;
while (Date.now() < end) {
  const r = await c.query("select state, wait_event_type, wait_event, left(regexp_replace(query, '\\s+', ' ', 'g'), 90) q from pg_stat_activity where datname like 'bench_%' and state <> 'idle'");
  for (const row of r.rows) { const k = `${row.state}|${row.wait_event_type ?? ""}:${row.wait_event ?? ""}|${row.q}`; counts.set(k, (counts.get(k) ?? 0) + 1); }
  await new Promise((res) => setTimeout(res, 20));
}
console.log([...counts].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `${v}\t${k}`).join("\n"));
await c.end();
