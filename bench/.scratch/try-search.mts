import { BenchEnv } from "../lib/bench-env.ts";
import { searchBench } from "../search.bench.ts";
const env = new BenchEnv((process.argv[2] as any) ?? "sqlite");
try {
  const r = await searchBench(env, undefined, (l) => console.log(l));
  console.log(JSON.stringify(r, null, 1));
  console.log(env.peakMaestroRss());
} finally { await env.close(); }
