import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ConflictPolicy } from "@maestro/shared/integration.schema";
import {
  canonicalArb,
  dateArb,
  guestsArb,
  policyArb,
  specialRequestsArb,
  timeArb,
  unicodeArb,
  roomArb,
} from "../testing/sync-arbitraries.ts";
import { baseAfterMerge, mergeFields, type FieldDecision, type MergeInput } from "./conflict-merge.ts";
import { CANONICAL_FIELDS, type CanonicalField, type CanonicalFields } from "./field-mapping.ts";

// Each field draws three candidates (base, x, y) and lets each side pick one, so
// every per-field situation (untouched, one side, both alike, both different)
// shows up in almost every generated case.
const fieldArbs: { [K in CanonicalField]: fc.Arbitrary<CanonicalFields[K]> } = {
  eventName: unicodeArb,
  eventDate: dateArb,
  eventTime: timeArb,
  room: roomArb,
  guaranteed: guestsArb,
  specialRequests: specialRequestsArb,
};
const pick = fc.constantFrom(0, 0, 1, 2);
type FieldDraw = { candidates: unknown[]; echo: number; maestro: number };
const sidesArb = fc
  .record(
    Object.fromEntries(
      CANONICAL_FIELDS.map((f) => [
        f,
        fc
          .record({ candidates: fc.tuple(fieldArbs[f], fieldArbs[f], fieldArbs[f]), echo: pick, maestro: pick })
          .map((d): FieldDraw => d),
      ]),
    ) as { [K in CanonicalField]: fc.Arbitrary<FieldDraw> },
  )
  .map((r) => {
    const side = (which: (d: FieldDraw) => number) =>
      Object.fromEntries(CANONICAL_FIELDS.map((f) => [f, r[f].candidates[which(r[f])]])) as CanonicalFields;
    return { base: side(() => 0), echo: side((d) => d.echo), maestro: side((d) => d.maestro) };
  });

const T0 = Date.parse("2025-06-01T12:00:00Z");
const clockArb = fc.record({
  echoChangedAt: fc.integer({ min: T0 - 5, max: T0 + 5 }),
  maestroChangedAt: fc.dictionary(fc.constantFrom(...CANONICAL_FIELDS), fc.integer({ min: T0 - 5, max: T0 + 5 }), {
    maxKeys: 6,
  }),
});
const frozenArb = fc.subarray([...CANONICAL_FIELDS]).map((a) => new Set<CanonicalField>(a));

const inputArb: fc.Arbitrary<MergeInput> = fc
  .tuple(sidesArb, policyArb, clockArb)
  .map(([sides, policy, clock]) => ({ ...sides, policy, ...clock }));

const eq = isDeepStrictEqual;
const byField = (decisions: FieldDecision[], field: CanonicalField) => decisions.find((d) => d.field === field)!;

function expectedWinner(input: MergeInput, field: CanonicalField): "echo" | "maestro" | "manual" {
  const p: ConflictPolicy = input.policy;
  if (p === "echo_wins") return "echo";
  if (p === "maestro_wins") return "maestro";
  if (p === "manual") return "manual";
  const m = input.maestroChangedAt[field];
  return m !== undefined && m > input.echoChangedAt ? "maestro" : "echo";
}

// Carries out what the sync engine does in one step: Maestro takes to_maestro
// and Echo-won values; pushes to Echo (to_echo, Maestro-won) are still pending.
function applyToMaestro(maestro: CanonicalFields, decisions: FieldDecision[]): CanonicalFields {
  const next: Record<string, unknown> = { ...maestro };
  for (const d of decisions) {
    if (d.kind === "to_maestro") next[d.field] = d.value;
    if (d.kind === "conflict" && d.winner === "echo") next[d.field] = d.echo;
  }
  return next as CanonicalFields;
}
function applyToEcho(echo: CanonicalFields, decisions: FieldDecision[]): CanonicalFields {
  const next: Record<string, unknown> = { ...echo };
  for (const d of decisions) {
    if (d.kind === "to_echo") next[d.field] = d.value;
    if (d.kind === "conflict" && d.winner === "maestro") next[d.field] = d.maestro;
  }
  return next as CanonicalFields;
}

describe("three-way merge, one decision per field", () => {
  it("returns exactly one decision per canonical field, in canonical order, without touching its input", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const snapshot = structuredClone({ base: input.base, echo: input.echo, maestro: input.maestro });
        const decisions = mergeFields(input);
        expect(decisions.map((d) => d.field)).toEqual([...CANONICAL_FIELDS]);
        expect({ base: input.base, echo: input.echo, maestro: input.maestro }).toEqual(snapshot);
      }),
    );
  });

  it("sends a field changed only in Echo to Maestro, only in Maestro to Echo, and leaves an untouched field alone, under every policy", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const decisions = mergeFields(input);
        for (const field of CANONICAL_FIELDS) {
          const [b, e, m] = [input.base[field], input.echo[field], input.maestro[field]];
          const d = byField(decisions, field);
          if (eq(e, b) && eq(m, b)) expect(d).toEqual({ field, kind: "unchanged" });
          else if (!eq(e, b) && eq(m, b)) expect(d).toEqual({ field, kind: "to_maestro", value: e });
          else if (eq(e, b) && !eq(m, b)) expect(d).toEqual({ field, kind: "to_echo", value: m });
        }
      }),
    );
  });

  it("only moves the base when both sides changed a field to the same value", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const decisions = mergeFields(input);
        for (const field of CANONICAL_FIELDS) {
          const [b, e, m] = [input.base[field], input.echo[field], input.maestro[field]];
          if (!eq(e, b) && eq(e, m)) expect(byField(decisions, field)).toEqual({ field, kind: "converged", value: e });
        }
      }),
    );
  });

  it("reports a conflict with all three values when both sides changed a field differently, and picks the winner by policy", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const decisions = mergeFields(input);
        for (const field of CANONICAL_FIELDS) {
          const [b, e, m] = [input.base[field], input.echo[field], input.maestro[field]];
          if (eq(e, b) || eq(m, b) || eq(e, m)) continue;
          expect(byField(decisions, field)).toEqual({
            field,
            kind: "conflict",
            base: b,
            echo: e,
            maestro: m,
            winner: expectedWinner(input, field),
          });
        }
      }),
    );
  });

  it("treats Echo and Maestro symmetrically: swapping the sides swaps directions and echo_wins with maestro_wins", () => {
    fc.assert(
      fc.property(sidesArb, fc.constantFrom<ConflictPolicy>("echo_wins", "maestro_wins", "manual"), (sides, policy) => {
        const flipped: Record<ConflictPolicy, ConflictPolicy> = {
          echo_wins: "maestro_wins",
          maestro_wins: "echo_wins",
          manual: "manual",
          newest_wins: "newest_wins",
        };
        const swapKind = { to_maestro: "to_echo", to_echo: "to_maestro" } as const;
        const swapWinner = { echo: "maestro", maestro: "echo", manual: "manual" } as const;
        const a = mergeFields({ ...sides, policy, echoChangedAt: 0, maestroChangedAt: {} });
        const b = mergeFields({
          base: sides.base,
          echo: sides.maestro,
          maestro: sides.echo,
          policy: flipped[policy],
          echoChangedAt: 0,
          maestroChangedAt: {},
        });
        const mirrored = a.map((d): FieldDecision => {
          if (d.kind === "to_maestro" || d.kind === "to_echo") return { ...d, kind: swapKind[d.kind] };
          if (d.kind === "conflict") return { ...d, echo: d.maestro, maestro: d.echo, winner: swapWinner[d.winner] };
          return d;
        });
        expect(b).toEqual(mirrored);
      }),
    );
  });
});

describe("newest_wins", () => {
  const base = {
    eventName: "Gala",
    eventDate: "2025-09-12",
    eventTime: "18:00",
    room: "Terrace",
    guaranteed: 120,
    specialRequests: "",
  };
  const run = (echoChangedAt: number, maestroAt?: number) =>
    byField(
      mergeFields({
        base,
        echo: { ...base, guaranteed: 140 },
        maestro: { ...base, guaranteed: 150 },
        policy: "newest_wins",
        echoChangedAt,
        maestroChangedAt: maestroAt === undefined ? {} : { guaranteed: maestroAt },
      }),
      "guaranteed",
    );

  it("gives the field to the side that changed it last", () => {
    expect(run(T0, T0 + 1)).toMatchObject({ kind: "conflict", winner: "maestro" });
    expect(run(T0 + 1, T0)).toMatchObject({ kind: "conflict", winner: "echo" });
  });

  it("gives a tie to Echo, because sales owns the contract", () => {
    expect(run(T0, T0)).toMatchObject({ kind: "conflict", winner: "echo", echo: 140, maestro: 150, base: 120 });
  });

  it("gives the field to Echo when Maestro has no change time for it", () => {
    expect(run(T0)).toMatchObject({ kind: "conflict", winner: "echo" });
  });

  it("decides each field by that field's own Maestro change time", () => {
    const decisions = mergeFields({
      base,
      echo: { ...base, guaranteed: 140, room: "Salon A" },
      maestro: { ...base, guaranteed: 150, room: "Salon B" },
      policy: "newest_wins",
      echoChangedAt: T0,
      maestroChangedAt: { guaranteed: T0 + 60_000, room: T0 - 60_000 },
    });
    expect(byField(decisions, "guaranteed")).toMatchObject({ winner: "maestro" });
    expect(byField(decisions, "room")).toMatchObject({ winner: "echo" });
  });

  it("uses Echo's change time of the field when its deliveries told it, not the version's", () => {
    const decisions = mergeFields({
      base,
      echo: { ...base, guaranteed: 140, room: "Salon A" },
      maestro: { ...base, guaranteed: 150, room: "Salon B" },
      policy: "newest_wins",
      // The version is newer than both Maestro edits, because of a later change of another field…
      echoChangedAt: T0 + 120_000,
      // …but Echo changed the guaranteed count before Maestro did, and the room after.
      echoFieldChangedAt: { guaranteed: T0, room: T0 + 90_000 },
      maestroChangedAt: { guaranteed: T0 + 60_000, room: T0 + 60_000 },
    });
    expect(byField(decisions, "guaranteed")).toMatchObject({ winner: "maestro" });
    expect(byField(decisions, "room")).toMatchObject({ winner: "echo" });
  });
});

describe("frozen fields", () => {
  it("always come back as manual conflicts carrying the current values, whatever the policy and whatever changed", () => {
    fc.assert(
      fc.property(inputArb, frozenArb, (input, frozen) => {
        const decisions = mergeFields({ ...input, frozen });
        for (const field of frozen) {
          expect(byField(decisions, field)).toEqual({
            field,
            kind: "conflict",
            base: input.base[field],
            echo: input.echo[field],
            maestro: input.maestro[field],
            winner: "manual",
          });
        }
      }),
    );
  });

  it("do not change the decisions for the other fields", () => {
    fc.assert(
      fc.property(inputArb, frozenArb, (input, frozen) => {
        const free = mergeFields(input);
        const withFrozen = mergeFields({ ...input, frozen });
        CANONICAL_FIELDS.filter((f) => !frozen.has(f)).forEach((f) =>
          expect(byField(withFrozen, f)).toEqual(byField(free, f)),
        );
      }),
    );
  });
});

describe("baseAfterMerge", () => {
  it("moves the base exactly for to_maestro, converged and Echo-won conflicts, and keeps it for everything else", () => {
    fc.assert(
      fc.property(inputArb, frozenArb, (input, frozen) => {
        const decisions = mergeFields({ ...input, frozen });
        const next = baseAfterMerge(input.base, decisions);
        for (const d of decisions) {
          if (d.kind === "to_maestro" || d.kind === "converged") expect(next[d.field]).toEqual(d.value);
          else if (d.kind === "conflict" && d.winner === "echo") expect(next[d.field]).toEqual(input.echo[d.field]);
          else expect(next[d.field]).toEqual(input.base[d.field]);
        }
        expect(Object.keys(next).sort()).toEqual([...CANONICAL_FIELDS].sort());
      }),
    );
  });

  it("does not mutate the base it is given", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const copy = { ...input.base };
        baseAfterMerge(input.base, mergeFields(input));
        expect(input.base).toEqual(copy);
      }),
    );
  });
});

describe("merging again after the decisions are carried out", () => {
  it("changes nothing more: only the pending pushes (to_echo, Maestro-won) and manual conflicts come back, unchanged", () => {
    fc.assert(
      fc.property(inputArb, frozenArb, (input, frozen) => {
        const first = mergeFields({ ...input, frozen });
        const second = mergeFields({
          ...input,
          frozen,
          base: baseAfterMerge(input.base, first),
          maestro: applyToMaestro(input.maestro, first),
        });
        for (const d of first) {
          const again = byField(second, d.field);
          const pending = d.kind === "to_echo" || (d.kind === "conflict" && d.winner !== "echo");
          if (pending) expect(again).toEqual(d);
          else expect(again).toEqual({ field: d.field, kind: "unchanged" });
        }
      }),
    );
  });

  it("settles once the pushes reach Echo: the next merge only converges, and the one after finds nothing to do", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        fc.pre(input.policy !== "manual"); // a manual conflict waits for a person by design
        const first = mergeFields(input);
        const base1 = baseAfterMerge(input.base, first);
        const echo = applyToEcho(input.echo, first);
        const maestro = applyToMaestro(input.maestro, first);
        expect(echo).toEqual(maestro);
        const second = mergeFields({ ...input, base: base1, echo, maestro });
        expect(second.every((d) => d.kind === "unchanged" || d.kind === "converged")).toBe(true);
        const third = mergeFields({ ...input, base: baseAfterMerge(base1, second), echo, maestro });
        expect(third.every((d) => d.kind === "unchanged")).toBe(true);
      }),
    );
  });

  it("is a no-op when nothing changed since the base", () => {
    fc.assert(
      fc.property(canonicalArb, policyArb, (base, policy) => {
        const decisions = mergeFields({
          base,
          echo: { ...base },
          maestro: { ...base },
          policy,
          echoChangedAt: T0,
          maestroChangedAt: {},
        });
        expect(decisions.every((d) => d.kind === "unchanged")).toBe(true);
        expect(baseAfterMerge(base, decisions)).toEqual(base);
      }),
    );
  });
});
