import fc from "fast-check";
import { contractStatuses, type EchoCRMEvent } from "@maestro/shared/echo-event.schema";
import { conflictPolicies, type ConflictPolicy } from "@maestro/shared/integration.schema";
import type { CanonicalFields } from "../integration/field-mapping.ts";
import { KITCHEN_MARKER } from "../integration/special-requests.ts";

// Realistic fast-check generators for the pure sync core (unit tests only).

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

// A real calendar date, YYYY-MM-DD.
export const dateArb: fc.Arbitrary<string> = fc
  .date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2099-12-31T00:00:00Z"), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

// HH:mm, 00:00 to 23:59.
export const timeArb: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
  .map(([h, m]) => `${pad(h)}:${pad(m)}`);

export const guestsArb: fc.Arbitrary<number> = fc.integer({ min: 0, max: 5000 });

// Any unicode, including astral characters, newlines and the empty string.
export const unicodeArb: fc.Arbitrary<string> = fc.string({ unit: "grapheme", maxLength: 40 });

// Strings biased towards the pieces the special-requests format is made of, so
// the edge cases (marker at the start, doubled separators, trailing newlines)
// are hit often, not once in a million runs.
export const markerishArb: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.string({ unit: "grapheme", maxLength: 6 }) },
      { weight: 2, arbitrary: fc.constantFrom("\n", "\n\n", "\r\n", " ", "-", "---") },
      {
        weight: 2,
        arbitrary: fc.constantFrom(KITCHEN_MARKER, KITCHEN_MARKER.trimEnd(), `\n\n${KITCHEN_MARKER}`, "Kitchen notes"),
      },
    ),
    { maxLength: 6 },
  )
  .map((parts) => parts.join(""));

export const specialRequestsArb: fc.Arbitrary<string> = fc.oneof(unicodeArb, markerishArb);

export const roomArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("Grand Ballroom", "Terrace", "Salon A", "Salon B", "Garden Pavilion"),
  unicodeArb,
);

export const canonicalArb: fc.Arbitrary<CanonicalFields> = fc.record({
  eventName: unicodeArb,
  eventDate: dateArb,
  eventTime: timeArb,
  room: roomArb,
  guaranteed: guestsArb,
  specialRequests: specialRequestsArb,
});

export const policyArb: fc.Arbitrary<ConflictPolicy> = fc.constantFrom(...conflictPolicies);

export const echoEventArb: fc.Arbitrary<EchoCRMEvent> = fc
  .record({
    id: fc.stringMatching(/^evt_[a-z0-9]{4,12}$/),
    canonical: canonicalArb,
    endTime: fc.option(timeArb, { nil: undefined }),
    expected: fc.option(guestsArb, { nil: undefined }),
    contractStatus: fc.constantFrom(...contractStatuses),
    totalBudget: fc.integer({ min: 0, max: 1_000_000 }),
    clientName: unicodeArb,
    clientEmail: fc.option(fc.emailAddress(), { nil: undefined }),
    salesRepName: unicodeArb,
    version: fc.integer({ min: 1, max: 10_000 }),
    deleted: fc.boolean(),
  })
  .map((r) => {
    const event: EchoCRMEvent = {
      id: r.id,
      eventName: r.canonical.eventName,
      eventDate: r.canonical.eventDate,
      eventTime: r.canonical.eventTime,
      timezone: "Europe/Vienna",
      venue: "Hotel Maestro",
      room: r.canonical.room,
      guestCount: { guaranteed: r.canonical.guaranteed, ...(r.expected !== undefined ? { expected: r.expected } : {}) },
      contractStatus: r.contractStatus,
      budget: { totalBudget: r.totalBudget, currency: "EUR" },
      clientName: r.clientName,
      clientPhone: "+43 1 234 5678",
      salesRepName: r.salesRepName,
      specialRequests: r.canonical.specialRequests,
      version: r.version,
      createdAt: "2025-01-01T00:00:00.000Z",
      updatedAt: "2025-01-02T00:00:00.000Z",
    };
    if (r.endTime !== undefined) event.endTime = r.endTime;
    if (r.clientEmail !== undefined) event.clientEmail = r.clientEmail;
    if (r.deleted) event.deletedAt = "2025-01-03T00:00:00.000Z";
    return event;
  });
