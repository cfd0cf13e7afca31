import type { SandboxDatabase } from "./database.ts";

export type Stamp = { seq: number; timeMs: number };

// Hands out the store's next (sequence, time) pair. Must be called inside the
// write transaction it stamps. Time is strictly increasing per store even if the
// wall clock stalls or steps back, so (updatedAt) alone orders all changes.
export function createStoreClock(db: SandboxDatabase, now: () => number = Date.now) {
  const read = db.prepare<[], { last_seq: number; last_time_ms: number }>(
    "SELECT last_seq, last_time_ms FROM store_clock WHERE id = 1",
  );
  const write = db.prepare<[number, number]>("UPDATE store_clock SET last_seq = ?, last_time_ms = ? WHERE id = 1");
  return {
    next(): Stamp {
      const row = read.get();
      if (!row) throw new Error("store_clock row missing");
      const stamp = { seq: row.last_seq + 1, timeMs: Math.max(now(), row.last_time_ms + 1) };
      write.run(stamp.seq, stamp.timeMs);
      return stamp;
    },
    lastSeq(): number {
      return read.get()?.last_seq ?? 0;
    },
  };
}
export type StoreClock = ReturnType<typeof createStoreClock>;
