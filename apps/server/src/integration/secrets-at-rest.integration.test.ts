import { execFile } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webhookSecretBytes } from "@maestro/shared/webhook-signature";
import {
  SANDBOX_KEY,
  settle,
  startSyncKit,
  waitFor,
  weddingEvent,
  WEBHOOK_SECRET,
  type SyncKit,
} from "../testing/sync-test-kit.ts";
import { findLeaks, postWebhook, signedDelivery } from "../testing/security-test-helpers.ts";
import { apiClient } from "../testing/test-server.ts";

// Issue 5 acceptance — a dump of the SQLite files and of the PostgreSQL database
// contains no plaintext API key or webhook secret; a tampered ciphertext fails loudly.

const KEK = "test-secret-key-0123456789abcdef";
const execFileAsync = promisify(execFile);

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? listFiles(full) : [full];
  });
}

// Every text value of every table of the server's PostgreSQL schema, plus pg_dump's output when available.
async function dumpPostgres(databaseUrl: string, schema: string): Promise<string> {
  const parts: string[] = [];
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>(
      "select table_name from information_schema.tables where table_schema = $1 and table_type = 'BASE TABLE'",
      [schema],
    );
    expect(tables.rows.length).toBeGreaterThan(5);
    for (const { table_name } of tables.rows) {
      const rows = await client.query(`select t::text as row from "${schema}"."${table_name.replace(/"/g, "")}" t`);
      parts.push(`-- ${table_name}`, ...rows.rows.map((r: { row: string }) => r.row));
    }
  } finally {
    await client.end();
  }
  try {
    const { stdout } = await execFileAsync("pg_dump", ["--no-owner", "--schema", schema, databaseUrl], {
      maxBuffer: 256 * 1024 * 1024,
    });
    parts.push(stdout);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    // pg_dump is not installed: the row dump above covers every table.
  }
  return parts.join("\n");
}

describe("secrets at rest", () => {
  let kit: SyncKit;
  let secrets: Record<string, string>;

  beforeAll(async () => {
    kit = await startSyncKit({ maestro: { secretKey: KEK } });
    const m = kit.maestro;
    secrets = {
      echoApiKey: SANDBOX_KEY,
      webhookSecret: WEBHOOK_SECRET,
      webhookSecretKeyBytes: webhookSecretBytes(WEBHOOK_SECRET).toString("utf8"),
      webhookSecretBase64: WEBHOOK_SECRET.slice("whsec_".length),
      keyEncryptionKey: KEK,
      ...Object.fromEntries(Object.entries(m.keys).map(([role, key]) => [`maestroApiKey:${role}`, key])),
    };
    // Some real traffic, so that every table the integration writes has rows.
    const created = await kit.echo("POST", "/v1/events", {
      ...weddingEvent,
      eventName: "Secrets At Rest Gala",
      contractStatus: "signed",
    });
    await waitFor(
      "import",
      async () =>
        (await kit.admin("GET", `/api/echo-integration/echo-events?q=${created.body.id}`)).body.data[0]?.beoId,
    );
    const delivery = signedDelivery(
      { id: "evt_x", type: "event.updated", createdAt: new Date().toISOString(), data: { event: created.body } },
      `msg_secrets_${Date.now()}`,
    );
    expect((await postWebhook(kit, delivery.body, delivery.headers)).status).toBe(200);
    // Reconfiguration, including a rotated webhook secret (the old one is kept, encrypted, for verification).
    const patched = await kit.admin("PATCH", "/api/echo-integration/config", {
      conflictResolution: "echo_wins",
      webhookSecret: WEBHOOK_SECRET + "-rotated",
    });
    expect(patched.status).toBe(200);
    secrets.rotatedWebhookSecret = WEBHOOK_SECRET + "-rotated";
    await settle(kit);
  });
  afterAll(async () => kit?.stop());

  it("leaves no plaintext secret in DATA_DIR's files (SQLite: database, -wal, -shm)", async () => {
    const files = listFiles(kit.maestro.db.dataDir);
    const onSqlite = !kit.maestro.db.databaseUrl;
    if (onSqlite) {
      const names = files.map((f) => path.basename(f));
      expect(names).toContain("maestro.sqlite");
      expect(names).toContain("maestro.sqlite-wal");
    }
    let everything = "";
    for (const file of files) {
      const bytes = readFileSync(file);
      // Both encodings SQLite may use for text.
      const text = bytes.toString("latin1") + "\n" + bytes.toString("utf16le");
      everything += text;
      expect(findLeaks(text, secrets), `plaintext secrets in ${path.basename(file)}`).toEqual([]);
    }
    if (onSqlite) {
      // The files were really read: the (non-secret) Echo URL, an event name and envelopes are in there.
      expect(everything).toContain(`${kit.sandbox.url}/v1`);
      expect(everything).toContain("Secrets At Rest Gala");
      expect(everything).toContain("enc:");
    }
  });

  it("leaves no plaintext secret in a dump of the PostgreSQL schema (with MAESTRO_TEST_DB=postgres)", async () => {
    const m = kit.maestro;
    if (!m.db.databaseUrl || !m.db.schema) {
      // On SQLite the database is the files checked above; nothing else holds Maestro's data.
      expect(listFiles(m.db.dataDir).some((f) => path.basename(f) === "maestro.sqlite")).toBe(true);
      return;
    }
    const dump = await dumpPostgres(m.db.databaseUrl, m.db.schema);
    expect(dump).toContain(`${kit.sandbox.url}/v1`);
    expect(dump).toContain("Secrets At Rest Gala");
    expect(dump).toContain("enc:");
    expect(findLeaks(dump, secrets)).toEqual([]);
  });

  it("never returns a secret from GET /config (or any other integration read)", async () => {
    for (const role of ["admin", "ops"] as const) {
      const res = await apiClient(kit.maestro.url, kit.maestro.keys[role])("GET", "/api/echo-integration/config");
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ echoCrmApiUrl: `${kit.sandbox.url}/v1`, conflictResolution: "echo_wins" });
      expect(findLeaks(JSON.stringify(res.body), secrets)).toEqual([]);
      expect(res.body.webhookSecret).toMatch(/^•+$/);
      expect(res.body.echoCrmApiKey).toMatch(/^•+/);
      expect(res.body.maestroApiKey).toMatch(/^•+/);
    }
    for (const url of ["/status", "/history?limit=500", "/audit-log", "/conflicts", "/echo-events", "/jobs/failed"]) {
      const res = await kit.admin("GET", `/api/echo-integration${url}`);
      expect(res.status, url).toBe(200);
      expect(findLeaks(JSON.stringify(res.body), secrets), url).toEqual([]);
    }
  });

  it("fails loudly, with a clear error, when a stored ciphertext was tampered with", async () => {
    const integration = kit.maestro.maestro.integration;
    const orgId = kit.maestro.orgId;
    const row = (await integration.configs.get(orgId))!;
    const original = row.echoApiKeyEnc;
    // Flip one bit of the encrypted secret inside an otherwise well-formed envelope.
    const env = JSON.parse(Buffer.from(original.slice(4), "base64").toString("utf8"));
    const ct = Buffer.from(env.ct, "base64");
    ct[0] = ct[0]! ^ 0x01;
    env.ct = ct.toString("base64");
    const tampered = `enc:${Buffer.from(JSON.stringify(env)).toString("base64")}`;
    await integration.configs.update(orgId, { echoApiKeyEnc: tampered });
    integration.runtime.invalidate(orgId); // as after a restart: the configuration is read again
    const logStart = kit.maestro.logLines.length;
    try {
      const config = await kit.admin("GET", "/api/echo-integration/config");
      expect(config.status).toBeGreaterThanOrEqual(500);
      expect(config.body.error.message).toMatch(/tamper|decrypt|authentication/i);

      const status = await kit.admin("GET", "/api/echo-integration/status");
      expect(status.status).toBeGreaterThanOrEqual(500);
      expect(status.body.error.message).toMatch(/tamper|decrypt|authentication/i);

      const sync = await kit.admin("POST", "/api/echo-integration/sync", {});
      expect(sync.status).toBeGreaterThanOrEqual(500);
      expect(sync.body.error.message).toMatch(/tamper|decrypt|authentication/i);

      // A webhook cannot be verified against an unreadable configuration: refused, and logged as such.
      const delivery = signedDelivery(
        { id: "evt_y", type: "event.updated", createdAt: new Date().toISOString(), data: { event: {} } },
        `msg_tampered_${Date.now()}`,
      );
      const hook = await postWebhook(kit, delivery.body, delivery.headers);
      expect(hook.status).not.toBe(200);
      expect(hook.status).toBeLessThan(500);
      const logged = kit.maestro.logLines.slice(logStart).join("\n");
      expect(logged).toMatch(
        /integration configuration unreadable.*(tampered|failed authentication)|(tampered|failed authentication).*integration configuration unreadable/,
      );
    } finally {
      await integration.configs.update(orgId, { echoApiKeyEnc: original });
      integration.runtime.invalidate(orgId);
    }
    // Restored: everything works again, so the failure above was the tampering.
    expect((await kit.admin("GET", "/api/echo-integration/config")).status).toBe(200);
    expect((await kit.admin("GET", "/api/echo-integration/status")).status).toBe(200);
  });
});
