import type { EchoCRMEvent, EchoEventPatch } from "@maestro/shared/echo-event.schema";
import { echoEventPatchSchema, echoEventSchema } from "@maestro/shared/echo-event.schema";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyEventPatch, diffEvents, echoEventDomainFields, sameValue } from "./event-change.ts";

const base: EchoCRMEvent = {
  id: "evt_1",
  eventName: "Okafor Wedding",
  eventDate: "2031-06-01",
  eventTime: "17:00",
  endTime: "23:00",
  timezone: "America/New_York",
  venue: "Harborview Grand Hotel",
  room: "Grand Ballroom",
  guestCount: { expected: 180, guaranteed: 160 },
  contractStatus: "tentative",
  budget: { totalBudget: 40_000, currency: "USD" },
  clientName: "Amara Okafor",
  clientEmail: "amara@example.com",
  salesRepName: "Jordan Ellis",
  specialRequests: "4 vegan meals",
  version: 3,
  createdAt: "2030-01-01T00:00:00.000Z",
  updatedAt: "2030-01-02T00:00:00.000Z",
};

describe("applyEventPatch", () => {
  it("changes only the named fields", () => {
    const next = applyEventPatch(base, { room: "Crystal Ballroom" });
    expect(next).toEqual({ ...base, room: "Crystal Ballroom" });
  });

  it("merges guestCount and budget key by key", () => {
    const next = applyEventPatch(base, { guestCount: { guaranteed: 170 }, budget: { totalBudget: 42_000 } });
    expect(next.guestCount).toEqual({ expected: 180, guaranteed: 170 });
    expect(next.budget).toEqual({ totalBudget: 42_000, currency: "USD" });
  });

  it("removes optional fields set to null, including guestCount.expected", () => {
    const next = applyEventPatch(base, { endTime: null, clientEmail: null, guestCount: { expected: null } });
    expect(next).not.toHaveProperty("endTime");
    expect(next).not.toHaveProperty("clientEmail");
    expect(next.guestCount).toEqual({ guaranteed: 160 });
  });

  it("does not mutate the current event", () => {
    const copy = structuredClone(base);
    applyEventPatch(base, { guestCount: { expected: null }, room: "Atlas Room" });
    expect(base).toEqual(copy);
  });
});

describe("diffEvents", () => {
  it("reports the changed fields with their previous values", () => {
    const next = applyEventPatch(base, { guestCount: { guaranteed: 175 }, specialRequests: "5 vegan meals" });
    expect(diffEvents(base, next)).toEqual({
      changedFields: ["guestCount", "specialRequests"],
      previous: { guestCount: { expected: 180, guaranteed: 160 }, specialRequests: "4 vegan meals" },
    });
  });

  it("leaves a field that was absent before out of previous but lists it as changed", () => {
    const next = applyEventPatch(base, { clientPhone: "+1 555-0100" });
    expect(diffEvents(base, next)).toEqual({ changedFields: ["clientPhone"], previous: {} });
  });

  it("finds no change when a patch repeats the current values", () => {
    const next = applyEventPatch(base, { room: base.room, guestCount: { guaranteed: 160, expected: 180 } });
    expect(diffEvents(base, next).changedFields).toEqual([]);
  });

  it("ignores server-owned fields", () => {
    expect(diffEvents(base, { ...base, version: 9, updatedAt: "2031-01-01T00:00:00.000Z" }).changedFields).toEqual([]);
  });

  // Property: previous + changedFields describe the change exactly — restoring
  // previous values onto the new event gives back the old one.
  it("lets previous values restore the event before any valid patch", () => {
    const patchArb = fc.record(
      {
        eventName: fc.string({ minLength: 1, maxLength: 20 }),
        room: fc.constantFrom("Grand Ballroom", "Atlas Room", "Harbor Room"),
        endTime: fc.constantFrom(null, "22:00", "23:00"),
        clientPhone: fc.constantFrom(null, "+1 555-0100"),
        guestCount: fc.record(
          { expected: fc.option(fc.integer({ min: 0, max: 500 })), guaranteed: fc.integer({ min: 0, max: 500 }) },
          { requiredKeys: [] },
        ),
        contractStatus: fc.constantFrom("inquiry", "tentative", "signed"),
        specialRequests: fc.string({ maxLength: 30 }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(patchArb, (rawPatch) => {
        const patch: EchoEventPatch = echoEventPatchSchema.parse(rawPatch);
        const next = applyEventPatch(base, patch);
        expect(echoEventSchema.safeParse(next).success).toBe(true);
        const { changedFields, previous } = diffEvents(base, next);
        const restored: Record<string, unknown> = { ...next };
        for (const field of changedFields) {
          if (field in previous) restored[field] = previous[field];
          else delete restored[field];
        }
        expect(sameValue(restored, base)).toBe(true);
        for (const field of echoEventDomainFields) {
          expect(changedFields.includes(field)).toBe(!sameValue(base[field], next[field]));
        }
      }),
    );
  });
});

describe("sameValue", () => {
  it("compares nested objects regardless of key order and ignores undefined keys", () => {
    expect(sameValue({ a: 1, b: { c: 2 } }, { b: { c: 2 }, a: 1 })).toBe(true);
    expect(sameValue({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(sameValue({ a: 1 }, { a: 2 })).toBe(false);
    expect(sameValue([1, 2], [2, 1])).toBe(false);
    expect(sameValue(null, {})).toBe(false);
  });
});
