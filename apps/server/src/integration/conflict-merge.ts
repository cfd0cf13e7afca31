import { isDeepStrictEqual } from "node:util";
import type { ConflictPolicy } from "@maestro/shared/integration.schema";
import { CANONICAL_FIELDS, type CanonicalField, type CanonicalFields } from "./field-mapping.ts";

// The three-way, per-field merge of DESIGN.md "Sync semantics". Pure: no I/O,
// no clock. Given what both sides last agreed on (base), what Echo says now and
// what Maestro says now, it decides for each field.

export type FieldDecision =
  | { field: CanonicalField; kind: "unchanged" }
  | { field: CanonicalField; kind: "to_maestro"; value: unknown } // Echo changed it: write it into Maestro
  | { field: CanonicalField; kind: "to_echo"; value: unknown } // Maestro changed it: push it to Echo
  | { field: CanonicalField; kind: "converged"; value: unknown } // both changed it to the same value
  | {
      field: CanonicalField;
      kind: "conflict";
      base: unknown;
      echo: unknown;
      maestro: unknown;
      // The winner under an automatic policy, or "manual": frozen until a person decides.
      winner: "echo" | "maestro" | "manual";
    };

export type MergeInput = {
  base: CanonicalFields;
  echo: CanonicalFields;
  maestro: CanonicalFields;
  policy: ConflictPolicy;
  // When each side last changed each field, on Maestro's clock (Echo's corrected for
  // skew). Echo's by field where its deliveries said which fields changed when
  // (`changedFields`), else its version's `updatedAt`: the field changed then or before.
  echoChangedAt: number;
  echoFieldChangedAt?: Partial<Record<CanonicalField, number>>;
  maestroChangedAt: Partial<Record<CanonicalField, number>>;
  // Fields already frozen by an open manual conflict: left alone until it is resolved.
  frozen?: ReadonlySet<CanonicalField>;
};

export function mergeFields(input: MergeInput): FieldDecision[] {
  return CANONICAL_FIELDS.map((field) => decide(field, input));
}

function decide(field: CanonicalField, input: MergeInput): FieldDecision {
  const base = input.base[field];
  const echo = input.echo[field];
  const maestro = input.maestro[field];
  const echoChanged = !isDeepStrictEqual(echo, base);
  const maestroChanged = !isDeepStrictEqual(maestro, base);
  if (input.frozen?.has(field)) {
    return { field, kind: "conflict", base, echo, maestro, winner: "manual" };
  }
  if (!echoChanged && !maestroChanged) return { field, kind: "unchanged" };
  if (echoChanged && !maestroChanged) return { field, kind: "to_maestro", value: echo };
  if (!echoChanged && maestroChanged) return { field, kind: "to_echo", value: maestro };
  if (isDeepStrictEqual(echo, maestro)) return { field, kind: "converged", value: echo };
  return { field, kind: "conflict", base, echo, maestro, winner: winnerOf(field, input) };
}

function winnerOf(field: CanonicalField, input: MergeInput): "echo" | "maestro" | "manual" {
  switch (input.policy) {
    case "echo_wins":
      return "echo";
    case "maestro_wins":
      return "maestro";
    case "manual":
      return "manual";
    case "newest_wins": {
      // Ties go to Echo: sales owns the contract.
      const maestroAt = input.maestroChangedAt[field] ?? Number.NEGATIVE_INFINITY;
      const echoAt = input.echoFieldChangedAt?.[field] ?? input.echoChangedAt;
      return maestroAt > echoAt ? "maestro" : "echo";
    }
  }
}

// The base after a merge's decisions are carried out on both sides: fields that
// now agree move to the agreed value; fields still waiting (a push to Echo, a
// manual conflict) keep the old base so the difference stays visible.
export function baseAfterMerge(base: CanonicalFields, decisions: readonly FieldDecision[]): CanonicalFields {
  const next = { ...base } as Record<CanonicalField, unknown>;
  for (const d of decisions) {
    if (d.kind === "to_maestro" || d.kind === "converged") next[d.field] = d.value;
    else if (d.kind === "conflict" && d.winner === "echo") next[d.field] = d.echo;
  }
  return next as CanonicalFields;
}
