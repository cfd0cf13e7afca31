import SQLite from "better-sqlite3";
import { generateSeedEvents } from "../../apps/echo-sandbox/src/sandbox/seed-data.ts";
const db = new SQLite(":memory:");
db.exec("create table t (id integer primary key, date text, body text); create index t_date on t(date); create virtual table s using fts5(body, tokenize='trigram')");
const ev = generateSeedEvents(100000, 1, new Date());
const ins = db.prepare("insert into t (id, date, body) values (?, ?, ?)");
const ins2 = db.prepare("insert into s (rowid, body) values (?, ?)");
db.transaction(() => ev.forEach((e, i) => { const b = `${e.eventName} ${e.clientName} ${e.salesRepName} ${e.room} evt_${i}`.toLowerCase(); const d = new Date(Date.UTC(2024,0,1) + (i*37 % 1460) * 86400000).toISOString().slice(0,10); ins.run(i + 1, d, b); ins2.run(i + 1, b); }))();
const time = (label: string, sql: string, ...p: unknown[]) => {
  const st = db.prepare(sql); st.all(...p);
  const t = performance.now(); let r: unknown[] = []; for (let i = 0; i < 5; i++) r = st.all(...p);
  console.log(label.padEnd(40), ((performance.now() - t) / 5).toFixed(2), "ms", r.length, db.prepare("explain query plan " + sql).all(...p).map((x: any) => x.detail).join(" | "));
};
for (const term of ["rossi", "ro", "grace garcía (harbor", "evt_5000"]) {
  time(`like escape ${term}`, "select rowid from s where body like ? escape '\\'", `%${term}%`);
  time(`like noescape ${term}`, "select rowid from s where body like ?", `%${term}%`);
  time(`range+in escape ${term}`, "select * from t where date >= '2025-08-01' and date <= '2025-08-31' and rowid in (select rowid from s where body like ? escape '\\') order by date limit 5000", `%${term}%`);
  time(`range+in noesc ${term}`, "select * from t where date >= '2025-08-01' and date <= '2025-08-31' and rowid in (select rowid from s where body like ?) order by date limit 5000", `%${term}%`);
  time(`list limit50 noesc ${term}`, "select * from t where rowid in (select rowid from s where body like ?) order by date limit 50", `%${term}%`);
}
