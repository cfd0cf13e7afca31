import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase } from "../../apps/server/src/db/database.ts";
import { JobQueue } from "../../apps/server/src/integration/job-queue.ts";
import { WebhookInbox } from "../../apps/server/src/integration/webhook-inbox.ts";
import { OrganizationRepository } from "../../apps/server/src/org/organization.repository.ts";
import { webhookGenerator } from "../lib/webhook-fixtures.ts";
const url = process.argv[2];
const h = await openDatabase({ dataDir: mkdtempSync(path.join(os.tmpdir(), "inbox-")), ...(url ? { databaseUrl: url } : {}) });
const org = await new OrganizationRepository(h.db).ensure("demo", "x");
const inbox = new WebhookInbox(h.db, new JobQueue(h.db, h.dialect));
const gen = webhookGenerator("whsec_x", "r" + Date.now(), 1000);
for (const batch of [1, 16, 64]) {
  const N = 4000;
  const t = performance.now();
  for (let i = 0; i < N / batch; i++) {
    await Promise.all(Array.from({ length: batch }, () => { const w = gen(); return inbox.store({ orgId: org.id, webhookId: w.webhookId, type: "event.updated", echoEventId: "evt_" + (i % 1000), payload: w.body }); }));
  }
  console.log("batch", batch, ((performance.now() - t) * 1000 / N).toFixed(1), "µs/item");
}
await h.close();
