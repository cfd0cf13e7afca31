import type { EchoCRMEvent, EchoEventPatch } from "@maestro/shared/echo-event.schema";

// Pure rules for how an event changes. No I/O: the service stamps and stores.

export const echoEventDomainFields = [
  "eventName",
  "eventDate",
  "eventTime",
  "endTime",
  "timezone",
  "venue",
  "room",
  "guestCount",
  "contractStatus",
  "budget",
  "clientName",
  "clientEmail",
  "clientPhone",
  "salesRepName",
  "salesRepEmail",
  "specialRequests",
  "beoId",
  "beoStatus",
] as const satisfies readonly (keyof EchoCRMEvent)[];
export type EchoEventDomainField = (typeof echoEventDomainFields)[number];

export type EventChange = {
  changedFields: EchoEventDomainField[];
  previous: Partial<EchoCRMEvent>;
};

// A PATCH names only what changes: null removes an optional field, nested
// guestCount and budget merge key by key.
export function applyEventPatch(current: EchoCRMEvent, patch: EchoEventPatch): EchoCRMEvent {
  const next: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (key === "guestCount" && patch.guestCount) {
      const guestCount: Record<string, unknown> = { ...current.guestCount };
      for (const [k, v] of Object.entries(patch.guestCount)) {
        if (v === null) delete guestCount[k];
        else if (v !== undefined) guestCount[k] = v;
      }
      next.guestCount = guestCount;
    } else if (key === "budget" && patch.budget) {
      next.budget = { ...current.budget, ...stripUndefined(patch.budget) };
    } else if (value === null) {
      delete next[key];
    } else {
      next[key] = value;
    }
  }
  return next as EchoCRMEvent;
}

// Which domain fields differ, and what they held before (absent fields stay absent).
export function diffEvents(before: EchoCRMEvent, after: EchoCRMEvent): EventChange {
  const changedFields: EchoEventDomainField[] = [];
  const previous: Record<string, unknown> = {};
  for (const field of echoEventDomainFields) {
    if (sameValue(before[field], after[field])) continue;
    changedFields.push(field);
    if (before[field] !== undefined) previous[field] = before[field];
  }
  return { changedFields, previous: previous as Partial<EchoCRMEvent> };
}

// Structural equality for the JSON values an event holds (key order ignored).
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  }
  const aKeys = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const bKeys = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (aKeys.length !== bKeys.length) return false;
  return aKeys.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
