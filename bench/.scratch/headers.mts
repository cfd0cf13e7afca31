import { BenchEnv } from "../lib/bench-env.ts";
const env = new BenchEnv("sqlite");
try {
  const m = await env.maestro("hd", { store: await env.store("hd") });
  for (const p of ["/healthz", "/api/calendar/events", "/login", "/nope.js"]) {
    const r = await fetch(m.url + p, { headers: { authorization: `Bearer ${m.adminKey}` } });
    const h = [...r.headers.entries()].filter(([k]) => !["date", "content-length", "etag", "last-modified"].includes(k));
    console.log(p, r.status, JSON.stringify(h));
  }
} finally { await env.close(); }
