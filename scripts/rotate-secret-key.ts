// `npm run rotate-secret-key`: re-encrypts every stored integration secret with
// the current MAESTRO_SECRET_KEY. Set the new key as MAESTRO_SECRET_KEY and the
// old one(s) in MAESTRO_PREVIOUS_SECRET_KEYS, run this once (the server may keep
// running with both set), then drop the old key from MAESTRO_PREVIOUS_SECRET_KEYS.
import { loadConfig } from "../apps/server/src/config/env.ts";
import { keyFromString, SecretBox } from "../apps/server/src/crypto/secret-box.ts";
import { openDatabase } from "../apps/server/src/db/database.ts";

const config = loadConfig();
if (!config.secretKey) throw new Error("set MAESTRO_SECRET_KEY to the new key");
const box = new SecretBox([config.secretKey, ...config.previousSecretKeys].map(keyFromString));
const database = await openDatabase({
  dataDir: config.dataDir,
  ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
});
const columns = ["echoApiKeyEnc", "maestroApiKeyEnc", "webhookSecretEnc", "previousWebhookSecretEnc"] as const;
let rotated = 0;
await database.db.transaction().execute(async (trx) => {
  const rows = await trx.selectFrom("integrationConfigs").selectAll().execute();
  for (const row of rows) {
    const patch: Record<string, string> = {};
    for (const column of columns) {
      const stored = row[column];
      if (stored && box.keyIdOf(stored) !== box.currentKeyId) {
        patch[column] = box.encrypt(box.decrypt(stored));
        rotated++;
      }
    }
    if (Object.keys(patch).length > 0) {
      await trx.updateTable("integrationConfigs").set(patch).where("orgId", "=", row.orgId).execute();
    }
  }
});
await database.close();
process.stdout.write(`re-encrypted ${rotated} secret(s) with key ${box.currentKeyId}\n`);
