import { randomFillSync } from "node:crypto";

// Random bytes drawn in blocks: one randomBytes() call per id costs more than the
// rest of an id (ids are minted for every stored webhook, job and operation).
const pool = Buffer.alloc(4096);
let offset = pool.length;

function randomHex8(): string {
  if (offset + 8 > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const hex = pool.toString("hex", offset, offset + 8);
  offset += 8;
  return hex;
}

// Sortable, prefixed ids: 12 hex chars of milliseconds then 16 random hex chars.
// Sorting by id sorts by creation time, which keeps cursors simple.
export function newId(prefix: string): string {
  const time = Date.now().toString(16).padStart(12, "0");
  return `${prefix}_${time}${randomHex8()}`;
}
