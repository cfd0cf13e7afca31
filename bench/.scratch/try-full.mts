import { BenchEnv } from "../lib/bench-env.ts";
import { fullSyncBench } from "../full-sync.bench.ts";
const env = new BenchEnv((process.argv[2] as any) ?? "sqlite");
try {
  const r = await fullSyncBench(env, undefined, (l) => console.log(l));
  console.log(JSON.stringify(r));
  console.log(env.peakMaestroRss());
} finally { await env.close(); }
