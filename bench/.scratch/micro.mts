import { echoWebhookPayloadSchema } from "@maestro/shared/integration.schema";
import { verifyWebhook } from "@maestro/shared/webhook-signature";
import { webhookGenerator } from "../lib/webhook-fixtures.ts";
import { WEBHOOK_SECRET } from "../lib/bench-env.ts";
const gen = webhookGenerator(WEBHOOK_SECRET, "x", 1000);
const items = Array.from({ length: 20000 }, () => gen());
const time = (name: string, f: (w: (typeof items)[number]) => unknown) => {
  for (let i = 0; i < 2000; i++) f(items[i]!);
  const t = performance.now();
  for (const w of items) f(w);
  console.log(name, ((performance.now() - t) * 1000 / items.length).toFixed(1), "µs");
};
time("gen", () => gen());
time("verify", (w) => verifyWebhook([WEBHOOK_SECRET], w.headers as any, Buffer.from(w.body)));
time("json", (w) => JSON.parse(w.body));
const parsed = items.map((w) => JSON.parse(w.body));
let i = 0;
time("zod", () => echoWebhookPayloadSchema.safeParse(parsed[i++ % parsed.length]));
