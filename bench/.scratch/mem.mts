import { BenchEnv } from "../lib/bench-env.ts";
const env = new BenchEnv("sqlite");
try {
  const m = await env.maestro("idle", { store: await env.store("idle") });
  await new Promise(r => setTimeout(r, 1500));
  console.log(await m.request("memory"));
  const { execSync } = await import("node:child_process");
  console.log(execSync(`grep -E "VmRSS|VmHWM|Threads|RssAnon|RssFile" /proc/${m.pid}/status`).toString());
  console.log(execSync(`awk '/^[0-9a-f]/{name=$6} /^Rss:/{rss[name]+=$2} END{for(n in rss) if (rss[n]>2000) print rss[n], n}' /proc/${m.pid}/smaps | sort -rn | head -15`).toString());
} finally { await env.close(); }
