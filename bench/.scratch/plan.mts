import SQLite from "better-sqlite3";
const db = new SQLite(":memory:");
db.exec(`create table sync_jobs (seq integer primary key autoincrement, id text not null unique, org_id text not null, kind text not null, ordering_key text not null, payload text not null, status text not null, attempts integer not null default 0, max_attempts integer not null, run_at text not null, locked_by text, locked_until text, last_error text, operation_id text, created_at text not null, updated_at text not null);
create index sync_jobs_runnable on sync_jobs(status, run_at);
create index sync_jobs_key on sync_jobs(org_id, ordering_key, status);
create index sync_jobs_open on sync_jobs(seq) where status in ('queued', 'running');`);
const ins = db.prepare("insert into sync_jobs (id, org_id, kind, ordering_key, payload, status, max_attempts, run_at, created_at, updated_at) values (?,?,?,?,?,?,?,?,?,?)");
db.transaction(() => { for (let i = 0; i < 50000; i++) ins.run("j" + i, "o", "echo_change", "k" + (i % 1000), "{}", i < 40000 ? "done" : "queued", 8, "2020", "x", "x"); })();
const old = `select j.seq from sync_jobs j where ((j.status = 'queued' and j.run_at <= @now) or (j.status = 'running' and j.locked_until < @now)) and not exists (select 1 from sync_jobs k where k.org_id = j.org_id and k.ordering_key = j.ordering_key and k.status in ('queued', 'running') and k.seq < j.seq) order by j.seq limit 8`;
const neu = `select j.seq from sync_jobs j indexed by sync_jobs_open where j.status in ('queued', 'running') and ((+j.status = 'queued' and +j.run_at <= @now) or (+j.status = 'running' and +j.locked_until < @now)) and not exists (select 1 from sync_jobs k where k.org_id = j.org_id and k.ordering_key = j.ordering_key and k.status in ('queued', 'running') and k.seq < j.seq) order by j.seq limit 8`;
for (const [n, q] of [["old", old], ["new", neu]] as const) {
  console.log(n, db.prepare("explain query plan " + q).all({ now: "2030" }).map((r: any) => r.detail).join(" | "));
  const s = db.prepare(q); const t = performance.now(); let r; for (let i = 0; i < 100; i++) r = s.all({ now: "2030" });
  console.log(n, ((performance.now() - t) / 100).toFixed(3), "ms", JSON.stringify(r));
}
