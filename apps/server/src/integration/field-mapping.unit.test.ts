import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { contractStatuses, type EchoCRMEvent } from "@maestro/shared/echo-event.schema";
import { calendarStatuses } from "@maestro/shared/maestro.schema";
import type { CalendarEventsTable } from "../db/schema.ts";
import { applyBeoPatch, BEO_FIELDS, type BeoBody } from "../beo/beo-document.ts";
import { canonicalArb, echoEventArb } from "../testing/sync-arbitraries.ts";
import {
  beoFieldsOfCanonical,
  beoPatchFromCanonical,
  CANONICAL_FIELDS,
  calendarFieldsFromEcho,
  calendarPatchFromCanonical,
  canonicalFieldOfBeoField,
  canonicalFromCalendar,
  canonicalFromEcho,
  CONTRACT_TO_CALENDAR_STATUS,
  echoFieldChangeTimes,
  echoPatchFromCanonical,
  type CanonicalFields,
} from "./field-mapping.ts";
import { composeSpecialRequests } from "./special-requests.ts";

// A partial set of canonical values: any subset of the keys of a full set.
const partialArb = fc
  .tuple(canonicalArb, fc.subarray([...CANONICAL_FIELDS]))
  .map(([all, keys]) => Object.fromEntries(keys.map((k) => [k, all[k]])) as Partial<CanonicalFields>);

const calendarRow = (over: Partial<CalendarEventsTable> = {}): CalendarEventsTable => ({
  id: "cal_1",
  orgId: "org_1",
  title: "Old title",
  date: "2025-01-01",
  time: "09:00",
  endTime: null,
  room: "Salon A",
  guestCount: 1,
  status: "tentative",
  revenue: null,
  clientName: null,
  salesRepName: null,
  notes: null,
  source: "echo",
  echoEventId: "evt_1",
  contractStatus: null,
  beoId: null,
  createdAt: "2025-01-01T00:00:00.000Z",
  updatedAt: "2025-01-01T00:00:00.000Z",
  ...over,
});

const beoBody = (): BeoBody => ({
  header: { eventName: "Old", clientName: "Client" },
  event: { date: "2025-01-01", time: "09:00", room: "Salon A", guaranteed: 1, expected: 2 },
  menu: { items: [{ name: "Soup" }], specialInstructions: "old kitchen" },
  setup: { layout: "Rounds", specialRequests: "old setup" },
});

// How Maestro's BEO reads back as canonical fields (the BEO service's view).
const canonicalFromBeo = (b: BeoBody): CanonicalFields => ({
  eventName: b.header.eventName,
  eventDate: b.event.date,
  eventTime: b.event.time,
  room: b.event.room,
  guaranteed: b.event.guaranteed,
  specialRequests: composeSpecialRequests({ setup: b.setup.specialRequests, kitchen: b.menu.specialInstructions }),
});

describe("canonical fields from each side", () => {
  it("reads Echo's event as its six canonical fields, guaranteed guests only", () => {
    fc.assert(
      fc.property(echoEventArb, (e) => {
        expect(canonicalFromEcho(e)).toEqual({
          eventName: e.eventName,
          eventDate: e.eventDate,
          eventTime: e.eventTime,
          room: e.room,
          guaranteed: e.guestCount.guaranteed,
          specialRequests: e.specialRequests,
        });
      }),
    );
  });

  it("stores an Echo event on the calendar so that the calendar reads back the same canonical fields", () => {
    fc.assert(
      fc.property(echoEventArb, (e) => {
        const row = { ...calendarRow(), ...calendarFieldsFromEcho(e) };
        expect(canonicalFromCalendar(row)).toEqual(canonicalFromEcho(e));
      }),
    );
  });

  it("reads empty calendar notes as empty special requests", () => {
    expect(canonicalFromCalendar(calendarRow({ notes: null })).specialRequests).toBe("");
    expect(canonicalFromCalendar(calendarRow({ notes: "Late arrival" })).specialRequests).toBe("Late arrival");
  });
});

describe("calendarFieldsFromEcho", () => {
  it("keeps the Echo-only fields (status, budget, names, end time) and never the client's e-mail or phone", () => {
    fc.assert(
      fc.property(echoEventArb, (e) => {
        const f = calendarFieldsFromEcho(e);
        expect(f.status).toBe(e.deletedAt ? "cancelled" : CONTRACT_TO_CALENDAR_STATUS[e.contractStatus]);
        expect(f.revenue).toBe(e.budget.totalBudget);
        expect(f.clientName).toBe(e.clientName === "" ? null : e.clientName);
        expect(f.salesRepName).toBe(e.salesRepName === "" ? null : e.salesRepName);
        expect(f.endTime).toBe(e.endTime ?? null);
        expect(f.notes).toBe(e.specialRequests === "" ? null : e.specialRequests);
        expect(f).toMatchObject({ source: "echo", echoEventId: e.id, contractStatus: e.contractStatus });
        expect(JSON.stringify(f)).not.toContain("+43 1 234 5678");
        expect(f).not.toHaveProperty("clientEmail");
        expect(f).not.toHaveProperty("clientPhone");
      }),
    );
  });

  it("cancels the calendar event of a deleted Echo event whatever its contract status", () => {
    for (const contractStatus of contractStatuses) {
      const e: EchoCRMEvent = {
        ...fc.sample(echoEventArb, { numRuns: 1, seed: 7 })[0]!,
        contractStatus,
        deletedAt: "2025-05-05T00:00:00.000Z",
      };
      expect(calendarFieldsFromEcho(e).status).toBe("cancelled");
    }
  });
});

describe("CONTRACT_TO_CALENDAR_STATUS", () => {
  it("maps every Echo contract status to a calendar status", () => {
    expect(Object.keys(CONTRACT_TO_CALENDAR_STATUS).sort()).toEqual([...contractStatuses].sort());
    for (const s of contractStatuses) expect(calendarStatuses).toContain(CONTRACT_TO_CALENDAR_STATUS[s]);
  });

  it("confirms a signed contract, frees the room for lost and cancelled deals, and keeps the pipeline stages tentative", () => {
    expect(CONTRACT_TO_CALENDAR_STATUS).toEqual({
      inquiry: "inquiry",
      tentative: "tentative",
      contract_sent: "tentative",
      signed: "confirmed",
      cancelled: "cancelled",
      lost: "cancelled",
    });
  });
});

describe("patches from canonical values", () => {
  it("writes exactly the given fields into calendar columns, and the calendar reads them back", () => {
    fc.assert(
      fc.property(canonicalArb, partialArb, (before, values) => {
        const row = { ...calendarRow(), ...calendarPatchFromCanonical(before) };
        const patched = { ...row, ...calendarPatchFromCanonical(values) };
        expect(canonicalFromCalendar(patched)).toEqual({ ...before, ...values });
        expect(Object.keys(calendarPatchFromCanonical(values))).toHaveLength(Object.keys(values).length);
      }),
    );
  });

  it("stores empty special requests as null notes", () => {
    expect(calendarPatchFromCanonical({ specialRequests: "" })).toEqual({ notes: null });
    expect(calendarPatchFromCanonical({})).toEqual({});
  });

  it("writes exactly the given fields into an Echo PATCH body, and Echo reads them back", () => {
    fc.assert(
      fc.property(echoEventArb, partialArb, (e, values) => {
        const patch = echoPatchFromCanonical(values);
        const patched: EchoCRMEvent = {
          ...e,
          ...patch,
          guestCount: { ...e.guestCount, ...patch.guestCount },
        } as EchoCRMEvent;
        expect(canonicalFromEcho(patched)).toEqual({ ...canonicalFromEcho(e), ...values });
        expect(Object.keys(patch)).toHaveLength(Object.keys(values).length);
        expect(patch.guestCount).toEqual(
          values.guaranteed === undefined ? undefined : { guaranteed: values.guaranteed },
        );
      }),
    );
  });

  it("writes the given fields into a BEO, splitting special requests so the BEO composes back the very same text", () => {
    fc.assert(
      fc.property(canonicalArb, partialArb, (before, values) => {
        const body = applyBeoPatch(beoBody(), beoPatchFromCanonical(before));
        const after = applyBeoPatch(body, beoPatchFromCanonical(values));
        expect(canonicalFromBeo(after)).toEqual({ ...before, ...values });
        // Non-canonical BEO fields are never touched.
        expect(after.header.clientName).toBe("Client");
        expect(after.event.expected).toBe(2);
        expect(after.menu.items).toEqual([{ name: "Soup" }]);
        expect(after.setup.layout).toBe("Rounds");
      }),
    );
  });

  it("leaves out empty sections of a BEO patch", () => {
    expect(beoPatchFromCanonical({})).toEqual({});
    expect(beoPatchFromCanonical({ eventName: "Gala" })).toEqual({ header: { eventName: "Gala" } });
    expect(beoPatchFromCanonical({ guaranteed: 0 })).toEqual({ event: { guaranteed: 0 } });
    expect(beoPatchFromCanonical({ specialRequests: "" })).toEqual({
      setup: { specialRequests: "" },
      menu: { specialInstructions: "" },
    });
  });

  it("keeps falsy but present values (0 guests, empty strings) in every patch", () => {
    const values: Partial<CanonicalFields> = { eventName: "", guaranteed: 0, specialRequests: "" };
    expect(echoPatchFromCanonical(values)).toEqual({
      eventName: "",
      guestCount: { guaranteed: 0 },
      specialRequests: "",
    });
    expect(calendarPatchFromCanonical(values)).toEqual({ title: "", guestCount: 0, notes: null });
  });
});

describe("BEO field ↔ canonical field", () => {
  it("maps each BEO field a canonical field covers back to that canonical field", () => {
    for (const field of CANONICAL_FIELDS) {
      for (const beoField of beoFieldsOfCanonical(field)) expect(canonicalFieldOfBeoField(beoField)).toBe(field);
    }
  });

  it("covers every BEO field that feeds a canonical field, and only those", () => {
    const covered = new Set(CANONICAL_FIELDS.flatMap(beoFieldsOfCanonical));
    for (const beoField of BEO_FIELDS) {
      expect(canonicalFieldOfBeoField(beoField) !== undefined).toBe(covered.has(beoField));
    }
    expect(covered).toEqual(
      new Set([
        "header.eventName",
        "event.date",
        "event.time",
        "event.room",
        "event.guaranteed",
        "menu.specialInstructions",
        "setup.specialRequests",
      ]),
    );
  });

  it("ignores Maestro-only BEO fields and unknown names", () => {
    for (const f of [
      "event.set",
      "event.expected",
      "event.endTime",
      "menu.items",
      "setup.layout",
      "header.clientName",
      "",
      "event",
      "eventName",
    ]) {
      expect(canonicalFieldOfBeoField(f)).toBeUndefined();
    }
  });
});

describe("Echo's change times by field, from its deliveries", () => {
  const at = (minute: number) => `2027-03-01T10:${String(minute).padStart(2, "0")}:00.000Z`;
  const delivery = (version: number, minute: number, changedFields: string[]) => ({
    event: { version, updatedAt: at(minute) },
    changedFields,
  });

  it("takes, for each field, the newest version that changed it; unnamed fields did not change", () => {
    const times = echoFieldChangeTimes(4, 6, [
      delivery(5, 1, ["guestCount", "room"]),
      delivery(6, 3, ["clientName", "room"]),
    ])!;
    expect(times.guaranteed).toBe(Date.parse(at(1)));
    expect(times.room).toBe(Date.parse(at(3)));
    expect(times.eventName).toBe(Number.NEGATIVE_INFINITY);
  });

  it("tells nothing unless every version since the last merged one was delivered", () => {
    // Version 5 is missing: it may have changed the guaranteed count after minute 1.
    expect(echoFieldChangeTimes(4, 6, [delivery(6, 3, ["clientName"])])).toBeUndefined();
    // A delivery that does not say what changed (a page from reconciliation) tells nothing either.
    expect(echoFieldChangeTimes(4, 5, [{ event: { version: 5, updatedAt: at(1) } }])).toBeUndefined();
    expect(echoFieldChangeTimes(4, 4, [])).toBeUndefined();
  });

  it("ignores versions outside the range and repeats of one version", () => {
    const times = echoFieldChangeTimes(4, 5, [
      delivery(3, 0, ["guestCount"]),
      delivery(5, 2, ["room"]),
      delivery(5, 2, ["room"]),
      delivery(7, 9, ["guestCount"]),
    ])!;
    expect(times.room).toBe(Date.parse(at(2)));
    expect(times.guaranteed).toBe(Number.NEGATIVE_INFINITY);
  });
});
