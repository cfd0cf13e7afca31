import autocannon from "autocannon";
import { BenchEnv, WEBHOOK_SECRET } from "../lib/bench-env.ts";
import { initializeIntegration } from "../lib/http.ts";
import { webhookGenerator } from "../lib/webhook-fixtures.ts";
const env = new BenchEnv("sqlite");
const worker = process.argv[2] === "on";
const path = process.argv[3] ?? "webhook";
try {
  const sandbox = await env.sandbox("s");
  const m = await env.maestro("p", { store: await env.store("p"), worker, allowedHosts: [new URL(sandbox.url).host] });
  await initializeIntegration(m, sandbox, { waitForFullSync: worker });
  const next = webhookGenerator(WEBHOOK_SECRET, "p" + Date.now(), 1000);
  const t0 = Date.now();
  const r = path === "webhook" ? await autocannon({ url: m.url, connections: 16, duration: 10, requests: [{ method: "POST", path: `/api/echo-integration/webhooks/echo-crm?org=${m.orgId}`, setupRequest: (req) => { const w = next(); return { ...req, body: w.body, headers: { ...req.headers, "content-type": "application/json", ...w.headers } }; } }] })
    : await autocannon({ url: m.url + "/healthz", connections: 16, duration: 10 });
  console.log("rps", r["2xx"] / r.duration, "non2xx", r.non2xx, "started after ms", t0);
  console.log(await m.request("counts"));
  if (process.env.BENCH_SQL_STATS) console.table(await m.request("sqlStats"));
} finally { await env.close(); }
