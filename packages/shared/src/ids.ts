import { randomBytes } from "node:crypto";

// Sortable, prefixed ids: 12 hex chars of milliseconds then 16 random hex chars.
// Sorting by id sorts by creation time, which keeps cursors simple.
export function newId(prefix: string): string {
  const time = Date.now().toString(16).padStart(12, "0");
  return `${prefix}_${time}${randomBytes(8).toString("hex")}`;
}
