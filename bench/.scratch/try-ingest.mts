import { BenchEnv } from "../lib/bench-env.ts";
import { ingestBench } from "../ingest.bench.ts";
const env = new BenchEnv((process.argv[2] as any) ?? "sqlite");
try {
  const r = await ingestBench(env, undefined, (l) => console.log(l));
  console.log(JSON.stringify(r, null, 1));
  console.log(env.peakMaestroRss());
} finally { await env.close(); }
