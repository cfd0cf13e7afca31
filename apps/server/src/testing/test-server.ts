import pino from "pino";
import { loadConfig, type MaestroConfig } from "../config/env.ts";
import { DEMO_ORG_SLUG, ensureDemoUsers } from "../bootstrap.ts";
import { startMaestro, type RunningMaestro } from "../server.ts";
import type { IntegrationOptions } from "../integration/integration.module.ts";
import { createTestDatabase, type TestDatabase } from "./test-database.ts";

export type TestMaestro = RunningMaestro & {
  db: TestDatabase;
  orgId: string;
  adminKey: string;
  // An API key per role in the main test organization.
  keys: Record<"admin" | "ops" | "chef" | "sales" | "viewer", string>;
  logLines: string[];
  stop(): Promise<void>;
};

export const TEST_PASSWORD = "correct horse battery staple";

// Starts a real Maestro on a random port over a fresh database, with one organization,
// demo users (password TEST_PASSWORD) and an API key per role.
export async function startTestMaestro(
  overrides: Partial<MaestroConfig> = {},
  orgSlug = DEMO_ORG_SLUG,
  integration?: Partial<IntegrationOptions>,
): Promise<TestMaestro> {
  const db = await createTestDatabase();
  const logLines: string[] = [];
  const logger = pino({ level: "info" }, { write: (line: string) => void logLines.push(line) });
  const config: MaestroConfig = {
    ...loadConfig({ DATA_DIR: db.dataDir, PORT: "0", LOG_LEVEL: "info" }),
    ...(db.databaseUrl ? { databaseUrl: db.databaseUrl } : {}),
    ...overrides,
  };
  const running = await startMaestro(config, {
    logger,
    ...(db.schema ? { schema: db.schema } : {}),
    ...(integration ? { integration } : {}),
  });
  const org = await running.maestro.services.orgs.ensure(orgSlug, "Grand Harbor Hotel");
  await ensureDemoUsers(running.maestro, org.id, TEST_PASSWORD);
  const keys = {} as TestMaestro["keys"];
  for (const role of ["admin", "ops", "chef", "sales", "viewer"] as const) {
    keys[role] = (await running.maestro.services.auth.createApiKey(org.id, `test ${role}`, role, "test")).key;
  }
  return {
    ...running,
    db,
    orgId: org.id,
    adminKey: keys.admin,
    keys,
    logLines,
    async stop() {
      await running.close();
      await db.drop();
    },
  };
}

// A tiny JSON client for tests: returns status, headers and parsed body.
export function apiClient(baseUrl: string, key?: string) {
  return async function call(method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(baseUrl + url, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let json: any = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    return { status: res.status, headers: res.headers, body: json };
  };
}
