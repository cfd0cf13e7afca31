import type { Db } from "./schema.ts";

// Runs `fn` in a transaction, or inside the caller's transaction when one is passed.
export function inTransaction<T>(db: Db, outer: Db | undefined, fn: (trx: Db) => Promise<T>): Promise<T> {
  if (outer) return fn(outer);
  return db.transaction().execute(fn);
}
