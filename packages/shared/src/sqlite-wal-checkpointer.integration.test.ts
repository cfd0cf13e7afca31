import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import SQLite from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { startWalCheckpointer, type WalCheckpointer } from "./sqlite-wal-checkpointer.ts";

const LIMIT = 256 * 1024;
const ROW = Buffer.alloc(16 * 1024, 7);

describe("SQLite WAL checkpoint thread", () => {
  let dir: string;
  let checkpointer: WalCheckpointer | undefined;
  const open: SQLite.Database[] = [];

  const database = () => {
    dir = mkdtempSync(path.join(tmpdir(), "maestro-wal-"));
    const file = path.join(dir, "db.sqlite");
    const db = new SQLite(file);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("busy_timeout = 5000");
    db.exec("create table t (id integer primary key, body blob not null)");
    open.push(db);
    return { db, file };
  };
  const walBytes = (file: string) => {
    try {
      return statSync(`${file}-wal`).size;
    } catch {
      return 0;
    }
  };
  const until = async (what: string, check: () => boolean, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  afterEach(async () => {
    await checkpointer?.stop();
    checkpointer = undefined;
    for (const db of open.splice(0)) if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("lets the writer truncate a WAL that grew past its limit once readers let go", async () => {
    const { db, file } = database();
    checkpointer = startWalCheckpointer(db, { intervalMs: 20, maxWalBytes: LIMIT });
    const insert = db.prepare("insert into t (body) values (?)");
    // A reader that holds its snapshot keeps every checkpoint from catching up: the WAL grows.
    const reader = new SQLite(file, { readonly: true });
    open.push(reader);
    reader.exec("begin");
    reader.prepare("select count(*) from t").get();
    for (let i = 0; i < 200; i++) insert.run(ROW);
    expect(walBytes(file)).toBeGreaterThan(8 * LIMIT);
    await new Promise((r) => setTimeout(r, 200));
    expect(walBytes(file)).toBeGreaterThan(8 * LIMIT);

    reader.exec("commit");
    // Once the thread has copied the WAL, the next commit starts it over and truncates it.
    let written = 200;
    await until("the WAL to be truncated to its limit", () => {
      insert.run(ROW);
      written++;
      return walBytes(file) <= LIMIT;
    });
    expect(db.prepare("select count(*) as n from t").get()).toEqual({ n: written });
  });

  it("never takes the write lock: a transaction that reads, then writes, is not refused", async () => {
    const { db, file } = database();
    checkpointer = startWalCheckpointer(db, { intervalMs: 2, maxWalBytes: LIMIT });
    const insert = db.prepare("insert into t (body) values (?)");
    const countOnWriter = db.prepare("select count(*) as n from t");
    const reader = new SQLite(file, { readonly: true });
    open.push(reader);
    reader.pragma("busy_timeout = 5000");
    const count = reader.prepare("select count(*) as n from t");
    // A deferred transaction that reads first: it cannot wait for a write lock held by
    // someone else (SQLite answers "database is locked" at once), so nobody else may take it.
    const write = db.transaction(() => {
      const before = (countOnWriter.get() as { n: number }).n;
      for (let i = 0; i < 10; i++) insert.run(ROW);
      return before + 10;
    });
    let written = 0;
    let shrunk = 0;
    // Rounds: a reader holds its snapshot across writes (the WAL grows past its limit),
    // then lets go while the writes go on, and the WAL comes back to its limit.
    for (let round = 0; round < 5; round++) {
      reader.exec("begin");
      const seen = (count.get() as { n: number }).n;
      for (let i = 0; i < 30; i++) {
        written = write();
        await new Promise((r) => setImmediate(r));
      }
      expect((count.get() as { n: number }).n).toBe(seen);
      reader.exec("commit");
      expect(walBytes(file)).toBeGreaterThan(8 * LIMIT);
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        written = write();
        expect((count.get() as { n: number }).n).toBe(written);
        if (walBytes(file) <= LIMIT + 10 * ROW.length * 2) {
          shrunk++;
          break;
        }
        await new Promise((r) => setImmediate(r));
      }
    }
    expect(shrunk).toBe(5);
    expect((count.get() as { n: number }).n).toBe(written);
  });
});
