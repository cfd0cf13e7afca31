import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";

// Which database the integration tier runs on: MAESTRO_TEST_DB=postgres switches
// to PostgreSQL (TEST_DATABASE_URL, default the machine's local `test` database).
export const testDbKind = (process.env.MAESTRO_TEST_DB ?? "sqlite") as "sqlite" | "postgres";
export const testDatabaseUrl = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export type TestDatabase = { dataDir: string; databaseUrl?: string; schema?: string; drop(): Promise<void> };

let counter = 0;

// A fresh, isolated database: a temp dir for SQLite, or a new schema on PostgreSQL.
export async function createTestDatabase(): Promise<TestDatabase> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "maestro-test-"));
  if (testDbKind !== "postgres") {
    return { dataDir, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const schema = `t_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  return {
    dataDir,
    databaseUrl: testDatabaseUrl,
    schema,
    async drop() {
      const client = new pg.Client({ connectionString: testDatabaseUrl });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
