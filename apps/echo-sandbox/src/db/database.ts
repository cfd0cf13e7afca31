import { mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { migrations } from "./migrations.ts";

export type SandboxDatabase = Database.Database;

export const DATABASE_FILE_NAME = "echo-sandbox.sqlite";

// One SQLite file per sandbox. WAL + synchronous=NORMAL survives a process crash
// (kill -9) without losing committed transactions; only an OS crash could.
export function openSandboxDatabase(dataDir: string): SandboxDatabase {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, DATABASE_FILE_NAME));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  db.pragma("foreign_keys = ON");
  migrate(db);
  return db;
}

// Forward-only migrations keyed by SQLite's user_version.
function migrate(db: SandboxDatabase): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  for (let index = current; index < migrations.length; index++) {
    const sql = migrations[index];
    if (sql === undefined) break;
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${index + 1}`);
    })();
  }
}
