import { BenchEnv } from "../lib/bench-env.ts";
const env = new BenchEnv("sqlite");
try {
  const m = await env.maestro("idle", { store: await env.store("idle") });
  await new Promise(r => setTimeout(r, 2000));
  console.log(await m.request("memory"), m.peakRssBytes()/1048576);
} finally { await env.close(); }
