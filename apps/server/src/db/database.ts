import { mkdirSync } from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import { CamelCasePlugin, Kysely, PostgresDialect, SqliteDialect, sql, type SqliteDatabase } from "kysely";
import pg from "pg";
import type { Logger } from "pino";
import type { Database, Db } from "./schema.ts";
import { migrateToLatest } from "./migrations.ts";
import { startWalCheckpointer } from "@maestro/shared/sqlite-wal-checkpointer";

export type DialectName = "sqlite" | "postgres";

export type DatabaseHandle = {
  db: Db;
  dialect: DialectName;
  // PostgreSQL only: the pool, for LISTEN/NOTIFY.
  pool?: pg.Pool;
  // SQLite only: the database file (threads open their own connection to it).
  sqliteFile?: string;
  close(): Promise<void>;
};

export type DatabaseOptions = {
  databaseUrl?: string;
  dataDir: string;
  // PostgreSQL only: isolate in this schema (tests use one schema per server).
  schema?: string;
  poolSize?: number;
  // SQLite only: where the checkpoint thread reports a WAL that stays past its size limit.
  logger?: Logger;
};

// PostgreSQL returns COUNT(*) and BIGINT as strings; counts here always fit a JS number.
pg.types.setTypeParser(20, (value) => Number(value));

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  const plugins = [new CamelCasePlugin()];
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      ...(options.schema ? { options: `-c search_path=${options.schema},public` } : {}),
    });
    if (options.schema) {
      const client = await pool.connect();
      try {
        await client.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema.replace(/"/g, "")}"`);
      } finally {
        client.release();
      }
    }
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins });
    const handle: DatabaseHandle = { db, dialect: "postgres", pool, close: () => db.destroy() };
    await ensureExtensions(pool);
    await migrateToLatest(handle, options.schema);
    return handle;
  }
  mkdirSync(options.dataDir, { recursive: true });
  const file = path.join(options.dataDir, "maestro.sqlite");
  const sqlite = new SQLite(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }), plugins });
  const checkpointer = startWalCheckpointer(sqlite, options.logger ? { logger: options.logger } : {});
  const handle: DatabaseHandle = {
    db,
    dialect: "sqlite",
    sqliteFile: file,
    close: async () => {
      await checkpointer.stop();
      await db.destroy();
    },
  };
  await migrateToLatest(handle);
  return handle;
}

// Kysely prepares every query anew, and preparing costs more than running most of
// our small queries (about a third of the webhook receiver's time): reuse prepared
// statements by SQL text. Safe on the single connection because nothing streams.
function withStatementCache(sqlite: SQLite.Database, max = 500): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string) {
      let statement = cache.get(text);
      if (statement) {
        cache.delete(text);
      } else {
        statement = sqlite.prepare(text);
        if (cache.size >= max) cache.delete(cache.keys().next().value!);
      }
      cache.set(text, statement);
      return statement;
    },
  };
}

// pg_trgm lives in `public`, created once per database: servers starting at the
// same time may race to create it, which PostgreSQL reports as a unique violation.
async function ensureExtensions(pool: pg.Pool): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await pool.query("create extension if not exists pg_trgm with schema public");
      return;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (attempt < 3 && (code === "23505" || code === "42710" || code === "XX000")) continue;
      throw err;
    }
  }
}

export async function pingDatabase(handle: DatabaseHandle): Promise<void> {
  await sql`select 1`.execute(handle.db);
}
