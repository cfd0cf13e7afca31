// `npm start`: the whole demo on the embedded default. The Echo CRM sandbox
// (seeded with a realistic season of events) and Maestro Banquets (demo venue,
// users of every role, the integration initialized against the sandbox).
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startEchoSandbox } from "../apps/echo-sandbox/src/sandbox-server.ts";
import { bootstrap } from "../apps/server/src/bootstrap.ts";
import { loadConfig } from "../apps/server/src/config/env.ts";
import { seedDemo } from "../apps/server/src/demo/demo-seed.ts";
import { createLogger } from "../apps/server/src/observability/logger.ts";
import { startMaestro } from "../apps/server/src/server.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dataDir = path.resolve(process.env.DATA_DIR ?? "./data");
mkdirSync(dataDir, { recursive: true });
const sandboxPort = Number(process.env.ECHO_SANDBOX_PORT ?? 4100);
const sandboxKey = process.env.ECHO_SANDBOX_API_KEY || "echo-sandbox-key";
const password = process.env.DEMO_PASSWORD || "maestro-demo";
const logLevel = process.env.LOG_LEVEL ?? "info";

// The demo keeps its key-encryption key beside the data, readable by this user only.
function demoSecretKey(): string {
  if (process.env.MAESTRO_SECRET_KEY) return process.env.MAESTRO_SECRET_KEY;
  const file = path.join(dataDir, "secret.key");
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString("hex"), { mode: 0o600 });
  chmodSync(file, 0o600);
  return readFileSync(file, "utf8").trim();
}

if (!existsSync(path.join(root, "apps/web/dist/index.html"))) {
  process.stdout.write("Building the web app (first start only)…\n");
  const build = spawnSync("npm", ["run", "build:web"], { cwd: root, stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const sandbox = await startEchoSandbox({ dataDir, port: sandboxPort, apiKey: sandboxKey, logLevel });
const sandboxApi = async (method: string, url: string, body?: unknown) => {
  const res = await fetch(sandbox.url + url, {
    method,
    headers: { authorization: `Bearer ${sandboxKey}`, ...(body ? { "content-type": "application/json" } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return res.json() as Promise<any>;
};
if ((await sandboxApi("GET", "/v1/events?limit=1")).data.length === 0) {
  await sandboxApi("POST", "/_sandbox/seed", { count: 60, seed: 2026 });
}

const sandboxHost = `127.0.0.1:${sandbox.port}`;
const config = loadConfig({
  ...process.env,
  DATA_DIR: dataDir,
  MAESTRO_SECRET_KEY: demoSecretKey(),
  INTEGRATION_ALLOWED_HOSTS: [process.env.INTEGRATION_ALLOWED_HOSTS, sandboxHost].filter(Boolean).join(","),
});
const logger = createLogger(logLevel);
const server = await startMaestro(config, { logger });
const { orgId } = await seedDemo(server.maestro, password);
await bootstrap(server.maestro, config);

const integration = server.maestro.integration;
if (!(await integration.configs.get(orgId))) {
  const actor = { orgId, role: "admin" as const, actor: "demo setup", via: "api_key" as const };
  const echoKey = await server.maestro.services.auth.createApiKey(orgId, "Echo CRM", "ops", "demo setup");
  await integration.service.initialize(actor, {
    organizationId: "demo",
    echoCrmApiUrl: `${sandbox.url}/v1`,
    echoCrmApiKey: sandboxKey,
    maestroApiUrl: server.url,
    maestroApiKey: echoKey.key,
    webhookSecret: `whsec_${randomBytes(24).toString("base64")}`,
    syncDirection: "bidirectional",
    autoSync: true,
    syncInterval: 15,
    conflictResolution: "newest_wins",
  });
}

process.stdout.write(`
  Maestro Banquets is running — ${server.url}
    log in as admin@demo.test, ops@demo.test, chef@demo.test, sales@demo.test or viewer@demo.test
    password: ${password}${config.adminApiKey ? "\n    API: Authorization: Bearer $MAESTRO_ADMIN_API_KEY" : ""}

  Echo CRM sandbox (the sales side) — ${sandbox.url}/#key=${sandboxKey}
    API: ${sandbox.url}/v1 with Authorization: Bearer ${sandboxKey}

  Data in ${dataDir}. Stop with Ctrl+C.

`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void Promise.all([server.close(), sandbox.close()]).then(() => process.exit(0));
  });
}
