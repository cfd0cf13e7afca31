import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { BeoPatch } from "@maestro/shared/maestro.schema";
import { dateArb, guestsArb, timeArb, unicodeArb } from "../testing/sync-arbitraries.ts";
import {
  applyBeoPatch,
  BEO_FIELDS,
  defaultSetCount,
  diffBodies,
  getField,
  setField,
  withDerivedSet,
  type BeoBody,
} from "./beo-document.ts";

const itemsArb = fc.array(
  fc.record(
    { name: fc.constantFrom("Soup", "Salmon", "Risotto", "Tart"), quantity: fc.option(guestsArb, { nil: undefined }) },
    { requiredKeys: ["name"], noNullPrototype: true },
  ),
  { maxLength: 3 },
);
const bodyArb: fc.Arbitrary<BeoBody> = fc.record(
  {
    header: fc.record(
      { eventName: unicodeArb, clientName: unicodeArb, salesRepName: unicodeArb },
      { requiredKeys: ["eventName"], noNullPrototype: true },
    ),
    event: fc.record(
      {
        date: dateArb,
        time: timeArb,
        endTime: timeArb,
        room: fc.constantFrom("Terrace", "Salon A"),
        expected: guestsArb,
        guaranteed: guestsArb,
        set: guestsArb,
      },
      { requiredKeys: ["date", "time", "room", "guaranteed"], noNullPrototype: true },
    ),
    menu: fc.record({ items: itemsArb, specialInstructions: unicodeArb }, { noNullPrototype: true }),
    setup: fc.record(
      { layout: fc.constantFrom("Rounds of 10", "Theatre"), specialRequests: unicodeArb },
      { requiredKeys: ["specialRequests"], noNullPrototype: true },
    ),
  },
  { noNullPrototype: true },
);
const patchArb: fc.Arbitrary<BeoPatch> = fc.record(
  {
    header: fc.record(
      { eventName: unicodeArb.filter((s) => s.length > 0), clientName: unicodeArb, salesRepName: unicodeArb },
      { requiredKeys: [], noNullPrototype: true },
    ),
    event: fc.record(
      {
        date: dateArb,
        time: timeArb,
        endTime: fc.option(timeArb),
        room: fc.constantFrom("Terrace", "Salon B"),
        expected: fc.option(guestsArb),
        guaranteed: guestsArb,
        set: fc.option(guestsArb),
      },
      { requiredKeys: [], noNullPrototype: true },
    ),
    menu: fc.record({ items: itemsArb, specialInstructions: unicodeArb }, { requiredKeys: [], noNullPrototype: true }),
    setup: fc.record(
      { layout: fc.option(fc.constantFrom("Rounds of 10", "Cabaret")), specialRequests: unicodeArb },
      { requiredKeys: [], noNullPrototype: true },
    ),
  },
  { requiredKeys: [], noNullPrototype: true },
);

// The value a patch names for a tracked field: missing (undefined), removed (null) or set.
const patched = (patch: BeoPatch, field: string): unknown => {
  const [section, key] = field.split(".") as [keyof BeoPatch, string];
  return (patch[section] as Record<string, unknown> | undefined)?.[key];
};

describe("applyBeoPatch", () => {
  it("sets every field the patch names, removes those it sets to null, and keeps all the others", () => {
    fc.assert(
      fc.property(bodyArb, patchArb, (body, patch) => {
        const next = applyBeoPatch(body, patch);
        for (const field of BEO_FIELDS) {
          const value = patched(patch, field);
          if (value === undefined) expect(getField(next, field)).toEqual(getField(body, field));
          else if (value === null) expect(getField(next, field)).toBeUndefined();
          else expect(getField(next, field)).toEqual(value);
        }
      }),
    );
  });

  it("does not modify the body it is given", () => {
    fc.assert(
      fc.property(bodyArb, patchArb, (body, patch) => {
        const copy = structuredClone(body);
        applyBeoPatch(body, patch);
        expect(body).toEqual(copy);
      }),
    );
  });

  it("changes nothing for an empty patch or empty sections", () => {
    fc.assert(
      fc.property(bodyArb, (body) => {
        expect(applyBeoPatch(body, {})).toEqual(body);
        expect(applyBeoPatch(body, { header: {}, event: {}, menu: {}, setup: {} })).toEqual(body);
        expect(applyBeoPatch(body, { event: { endTime: undefined, set: undefined } })).toEqual(body);
      }),
    );
  });

  it("is idempotent: applying the same patch twice is the same as once", () => {
    fc.assert(
      fc.property(bodyArb, patchArb, (body, patch) => {
        const once = applyBeoPatch(body, patch);
        expect(applyBeoPatch(once, patch)).toEqual(once);
      }),
    );
  });

  it("leaves the status to the workflow, not the document", () => {
    const body = fc.sample(bodyArb, { numRuns: 1, seed: 3 })[0]!;
    expect(applyBeoPatch(body, { status: "cancelled" })).toEqual(body);
  });

  it("merges nested sections key by key", () => {
    const body: BeoBody = {
      header: { eventName: "Gala", clientName: "ACME" },
      event: { date: "2025-09-12", time: "18:00", room: "Terrace", guaranteed: 120, set: 130, endTime: "23:00" },
      menu: { items: [], specialInstructions: "" },
      setup: { layout: "Rounds", specialRequests: "" },
    };
    const next = applyBeoPatch(body, { event: { guaranteed: 140, set: null, endTime: null }, setup: { layout: null } });
    expect(next.event).toEqual({ date: "2025-09-12", time: "18:00", room: "Terrace", guaranteed: 140 });
    expect(next.setup).toEqual({ specialRequests: "" });
    expect(next.header).toBe(body.header);
  });
});

describe("diffBodies", () => {
  it("finds no change between a body and itself or a copy", () => {
    fc.assert(
      fc.property(bodyArb, (body) => {
        expect(diffBodies(body, body)).toEqual([]);
        expect(diffBodies(body, structuredClone(body))).toEqual([]);
      }),
    );
  });

  it("lists exactly the tracked fields whose value differs, with old → new and null for missing", () => {
    fc.assert(
      fc.property(bodyArb, bodyArb, (a, b) => {
        const diff = diffBodies(a, b);
        const expected = BEO_FIELDS.filter(
          (f) => JSON.stringify(getField(a, f) ?? null) !== JSON.stringify(getField(b, f) ?? null),
        );
        expect(diff.map((d) => d.field)).toEqual(expected);
        for (const d of diff) {
          expect(d.old).toEqual(getField(a, d.field) ?? null);
          expect(d.new).toEqual(getField(b, d.field) ?? null);
        }
      }),
    );
  });

  it("replays: writing each change's new value onto the old body gives the new body", () => {
    fc.assert(
      fc.property(bodyArb, patchArb, (body, patch) => {
        const after = applyBeoPatch(body, patch);
        const replayed = diffBodies(body, after).reduce((acc, d) => setField(acc, d.field, d.new), body);
        expect(replayed).toEqual(after);
      }),
    );
  });

  it("is symmetric: swapping the bodies swaps old and new", () => {
    fc.assert(
      fc.property(bodyArb, bodyArb, (a, b) => {
        expect(diffBodies(b, a)).toEqual(diffBodies(a, b).map((d) => ({ field: d.field, old: d.new, new: d.old })));
      }),
    );
  });

  it("tracks the menu items as one field and ignores untracked keys", () => {
    const a: BeoBody = {
      header: { eventName: "G" },
      event: { date: "2025-01-01", time: "10:00", room: "R", guaranteed: 1 },
      menu: { items: [{ name: "Soup" }], specialInstructions: "" },
      setup: { specialRequests: "" },
    };
    const b: BeoBody = { ...a, menu: { ...a.menu, items: [{ name: "Soup", quantity: 3 }] } };
    expect(diffBodies(a, b)).toEqual([
      { field: "menu.items", old: [{ name: "Soup" }], new: [{ name: "Soup", quantity: 3 }] },
    ]);
    const extra = { ...a, event: { ...a.event, colour: "red" } } as BeoBody;
    expect(diffBodies(a, extra)).toEqual([]);
  });
});

describe("defaultSetCount", () => {
  // Exact integer arithmetic: ceil(g · (100 + p) / 100).
  const exact = (g: number, p: number) => Number((BigInt(g) * BigInt(100 + p) + 99n) / 100n);

  it("is guaranteed plus the overage, rounded up, with no floating-point phantom guest", () => {
    expect(defaultSetCount(100, 10)).toBe(110); // 100 × 1.1 is 110.00000000000001 in floating point
    expect(defaultSetCount(1900, 7)).toBe(2033);
    expect(defaultSetCount(225, 8)).toBe(243);
    expect(defaultSetCount(180, 3)).toBe(186);
    expect(defaultSetCount(150, 3)).toBe(155);
    expect(defaultSetCount(0, 3)).toBe(0);
    expect(defaultSetCount(120, 0)).toBe(120);
    expect(defaultSetCount(120, 100)).toBe(240);
  });

  it("matches exact integer arithmetic for every whole-percent overage", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 100 }), (g, p) => {
        expect(defaultSetCount(g, p)).toBe(exact(g, p));
      }),
      { numRuns: 3000 },
    );
  });

  it("handles fractional overage percentages exactly", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 10_000 }), (g, hundredths) => {
        const want = Number((BigInt(g) * BigInt(10_000 + hundredths) + 9_999n) / 10_000n);
        expect(defaultSetCount(g, hundredths / 100)).toBe(want);
      }),
    );
    expect(defaultSetCount(1, 2.5)).toBe(2);
    expect(defaultSetCount(200, 2.5)).toBe(205);
  });

  it("never seats fewer than guaranteed and grows with the guarantee", () => {
    fc.assert(
      fc.property(guestsArb, guestsArb, fc.integer({ min: 0, max: 100 }), (a, b, p) => {
        expect(defaultSetCount(a, p)).toBeGreaterThanOrEqual(a);
        if (a <= b) expect(defaultSetCount(a, p)).toBeLessThanOrEqual(defaultSetCount(b, p));
      }),
    );
  });
});

describe("withDerivedSet", () => {
  it("derives set from guaranteed when nobody set it, and keeps an explicit set, even 0", () => {
    fc.assert(
      fc.property(bodyArb, fc.integer({ min: 0, max: 100 }), (body, p) => {
        const shown = withDerivedSet(body, p);
        expect(shown.event.set).toBe(body.event.set ?? defaultSetCount(body.event.guaranteed, p));
        expect({ ...shown, event: { ...shown.event, set: body.event.set } }).toEqual(body);
      }),
    );
    const body = fc.sample(bodyArb, { numRuns: 1, seed: 1 })[0]!;
    expect(withDerivedSet({ ...body, event: { ...body.event, guaranteed: 50, set: 0 } }, 10).event.set).toBe(0);
  });
});
