import autocannon from "autocannon";
import { BenchEnv } from "../lib/bench-env.ts";
import { startChild } from "../lib/child-process.ts";
import { freePort } from "../lib/free-port.ts";
const env = new BenchEnv("sqlite");
try {
  const port = await freePort();
  const bare = await startChild("bare", "bare-server-main.ts", { PORT: String(port) }, env.logFile("bare"));
  for (const url of [bare.info.url + "/healthz"]) {
    await autocannon({ url, connections: 16, duration: 1 });
    const r = await autocannon({ url, connections: 16, duration: 4 });
    console.log("bare GET", r["2xx"] / r.duration);
  }
  await bare.stop();
  const m = await env.maestro("h", { store: await env.store("h") });
  await autocannon({ url: m.url + "/healthz", connections: 16, duration: 1 });
  const r = await autocannon({ url: m.url + "/healthz", connections: 16, duration: 4 });
  console.log("maestro /healthz", r["2xx"] / r.duration);
} finally { await env.close(); }
