import type { BEODocument, BeoPatch } from "@maestro/shared/maestro.schema";
import { isDeepStrictEqual } from "node:util";

// The editable part of a BEO, as stored. `event.set` is stored only when someone
// set it explicitly; otherwise it is derived from guaranteed plus the overage.
export type BeoBody = Pick<BEODocument, "header" | "event" | "menu" | "setup">;

// Field paths tracked in the change log; menu.items is tracked as one field.
export const BEO_FIELDS = [
  "header.eventName",
  "header.clientName",
  "header.salesRepName",
  "event.date",
  "event.time",
  "event.endTime",
  "event.room",
  "event.expected",
  "event.guaranteed",
  "event.set",
  "menu.items",
  "menu.specialInstructions",
  "setup.layout",
  "setup.specialRequests",
] as const;
export type BeoField = (typeof BEO_FIELDS)[number];

export function getField(body: BeoBody, field: string): unknown {
  const [section, key] = field.split(".") as [keyof BeoBody, string];
  const part = body[section] as Record<string, unknown> | undefined;
  return part?.[key];
}

export function setField(body: BeoBody, field: string, value: unknown): BeoBody {
  const [section, key] = field.split(".") as [keyof BeoBody, string];
  const part = { ...(body[section] as Record<string, unknown>) };
  if (value === undefined || value === null) delete part[key];
  else part[key] = value;
  return { ...body, [section]: part } as BeoBody;
}

export function diffBodies(before: BeoBody, after: BeoBody): { field: BeoField; old: unknown; new: unknown }[] {
  const changes: { field: BeoField; old: unknown; new: unknown }[] = [];
  for (const field of BEO_FIELDS) {
    const a = getField(before, field);
    const b = getField(after, field);
    if (!isDeepStrictEqual(stored(a ?? null), stored(b ?? null)))
      changes.push({ field, old: a ?? null, new: b ?? null });
  }
  return changes;
}

// A value as the stored (JSON) document holds it: a key whose value is undefined is no key.
function stored(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stored);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (v !== undefined) out[key] = stored(v);
  return out;
}

// Applies a partial document: nested sections merge key by key, null removes an optional value.
export function applyBeoPatch(body: BeoBody, patch: BeoPatch): BeoBody {
  let next = body;
  for (const section of ["header", "event", "menu", "setup"] as const) {
    const part = patch[section] as Record<string, unknown> | undefined;
    if (!part) continue;
    for (const [key, value] of Object.entries(part)) {
      if (value === undefined) continue;
      next = setField(next, `${section}.${key}`, value);
    }
  }
  return next;
}

export function defaultSetCount(guaranteed: number, overagePercent: number): number {
  // Not `guaranteed * (1 + p / 100)`: 100 × 1.1 is 110.00000000000001 in floating
  // point, and ceil would add a phantom guest. Working in millionths of a guest
  // is exact for overage percentages with up to four decimals.
  return Math.ceil(Math.round(guaranteed * (100 + overagePercent) * 1e4) / 1e6);
}

export function withDerivedSet(body: BeoBody, overagePercent: number): BeoBody {
  if (body.event.set !== undefined) return body;
  return { ...body, event: { ...body.event, set: defaultSetCount(body.event.guaranteed, overagePercent) } };
}
