import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CalendarEventsTable } from "../db/schema.ts";
import { timeArb } from "../testing/sync-arbitraries.ts";
import { findDoubleBookings, toCalendarEvent, type BookingSlot } from "./calendar-mapper.ts";

let seq = 0;
const slot = (over: Partial<BookingSlot>): BookingSlot => ({
  id: `e${++seq}`,
  date: "2025-09-12",
  time: "18:00",
  endTime: "22:00",
  room: "Grand Ballroom",
  status: "confirmed",
  ...over,
});
const pairs = (m: Map<string, string[]>) =>
  [...m.entries()].map(([k, v]) => [k, [...v].sort()] as const).sort(([a], [b]) => a.localeCompare(b));

// Small pools of days, rooms and statuses so that collisions are common.
const slotsArb = fc
  .array(
    fc.record({
      date: fc.constantFrom("2025-09-12", "2025-09-13"),
      time: timeArb,
      endTime: fc.option(timeArb, { nil: undefined }),
      room: fc.constantFrom("Grand Ballroom", "grand ballroom", "Terrace", "Salon A"),
      status: fc.constantFrom("confirmed", "tentative", "inquiry", "cancelled"),
    }),
    { maxLength: 12 },
  )
  .map((list) => list.map((s, i): BookingSlot => ({ ...s, id: `e${i}` })));

// Minutes since midnight of the event's day, straight from the rules.
function interval(s: BookingSlot): [number, number] {
  const m = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3));
  const start = m(s.time);
  if (!s.endTime) return [start, start + 240];
  const end = m(s.endTime);
  return [start, end <= start ? end + 1440 : end];
}

describe("findDoubleBookings", () => {
  it("flags two active events whose times overlap in the same room on the same day, both ways", () => {
    const a = slot({ time: "18:00", endTime: "22:00" });
    const b = slot({ time: "21:00", endTime: "23:30" });
    expect(pairs(findDoubleBookings([a, b]))).toEqual([
      [a.id, [b.id]],
      [b.id, [a.id]],
    ]);
  });

  it("does not flag events that only touch (one ends when the next starts)", () => {
    expect(
      findDoubleBookings([slot({ time: "12:00", endTime: "15:00" }), slot({ time: "15:00", endTime: "18:00" })]).size,
    ).toBe(0);
  });

  it("does not flag overlapping events in different rooms or on different days", () => {
    expect(findDoubleBookings([slot({ room: "Terrace" }), slot({ room: "Salon A" })]).size).toBe(0);
    expect(findDoubleBookings([slot({ date: "2025-09-12" }), slot({ date: "2025-09-13" })]).size).toBe(0);
  });

  it("compares room names without regard to case", () => {
    expect(findDoubleBookings([slot({ room: "Grand Ballroom" }), slot({ room: "GRAND BALLROOM" })]).size).toBe(2);
  });

  it("ignores cancelled events but counts inquiries and tentative holds", () => {
    expect(findDoubleBookings([slot({ status: "cancelled" }), slot({})]).size).toBe(0);
    expect(findDoubleBookings([slot({ status: "inquiry" }), slot({ status: "tentative" })]).size).toBe(2);
  });

  it("assumes four hours for an event without an end time", () => {
    const open = slot({ time: "18:00", endTime: null });
    expect(findDoubleBookings([open, slot({ time: "21:59", endTime: "23:00" })]).size).toBe(2);
    expect(findDoubleBookings([open, slot({ time: "22:00", endTime: "23:00" })]).size).toBe(0);
    expect(
      findDoubleBookings([slot({ time: "18:00", endTime: undefined }), slot({ time: "21:00", endTime: "21:30" })]).size,
    ).toBe(2);
  });

  it("runs an event that ends before it starts past midnight", () => {
    const lateParty = slot({ time: "22:00", endTime: "02:00" });
    expect(findDoubleBookings([lateParty, slot({ time: "23:30", endTime: "23:45" })]).size).toBe(2);
    // An equal end and start is a full 24 hours.
    expect(
      findDoubleBookings([slot({ time: "08:00", endTime: "08:00" }), slot({ time: "20:00", endTime: "21:00" })]).size,
    ).toBe(2);
  });

  it("lists every overlapping partner of an event, without duplicates", () => {
    const big = slot({ time: "08:00", endTime: "23:00" });
    const others = [
      slot({ time: "09:00", endTime: "10:00" }),
      slot({ time: "12:00", endTime: "13:00" }),
      slot({ time: "20:00", endTime: "21:00" }),
    ];
    const result = findDoubleBookings([big, ...others]);
    expect([...result.get(big.id)!].sort()).toEqual(others.map((o) => o.id).sort());
    for (const o of others) expect(result.get(o.id)).toEqual([big.id]);
  });

  it("returns a symmetric relation: if a is double-booked with b then b is with a", () => {
    fc.assert(
      fc.property(slotsArb, (slots) => {
        const result = findDoubleBookings(slots);
        for (const [a, partners] of result) {
          expect(partners).not.toContain(a);
          expect(new Set(partners).size).toBe(partners.length);
          for (const b of partners) expect(result.get(b)).toContain(a);
        }
      }),
    );
  });

  it("agrees with the rules pair by pair: same day, same room (any case), both active, intervals intersect", () => {
    fc.assert(
      fc.property(slotsArb, (slots) => {
        const result = findDoubleBookings(slots);
        for (const a of slots) {
          for (const b of slots) {
            if (a === b) continue;
            const [as, ae] = interval(a);
            const [bs, be] = interval(b);
            const clash =
              a.date === b.date &&
              a.room.toLowerCase() === b.room.toLowerCase() &&
              a.status !== "cancelled" &&
              b.status !== "cancelled" &&
              as < be &&
              bs < ae;
            expect(result.get(a.id)?.includes(b.id) ?? false).toBe(clash);
          }
        }
      }),
    );
  });

  it("does not depend on the order of the events", () => {
    fc.assert(
      fc.property(
        slotsArb.chain((slots) =>
          fc.tuple(fc.constant(slots), fc.shuffledSubarray(slots, { minLength: slots.length })),
        ),
        ([slots, shuffled]) => {
          expect(pairs(findDoubleBookings(shuffled))).toEqual(pairs(findDoubleBookings(slots)));
        },
      ),
    );
  });
});

describe("toCalendarEvent", () => {
  const row: CalendarEventsTable = {
    id: "cal_1",
    orgId: "org_1",
    title: "Gala",
    date: "2025-09-12",
    time: "18:00",
    endTime: null,
    room: "Terrace",
    guestCount: 0,
    status: "confirmed",
    revenue: 0,
    clientName: null,
    salesRepName: "",
    notes: null,
    source: "maestro",
    echoEventId: null,
    contractStatus: null,
    beoId: null,
    createdAt: "2025-01-01T00:00:00.000Z",
    updatedAt: "2025-01-02T00:00:00.000Z",
  };

  it("leaves out empty optional columns but keeps zero revenue and zero guests", () => {
    const e = toCalendarEvent(row);
    expect(e).toEqual({
      id: "cal_1",
      title: "Gala",
      date: "2025-09-12",
      time: "18:00",
      room: "Terrace",
      guestCount: 0,
      status: "confirmed",
      revenue: 0,
      source: "maestro",
      updatedAt: "2025-01-02T00:00:00.000Z",
    });
    expect(e).not.toHaveProperty("orgId");
  });

  it("passes the Echo link, BEO and names through when present", () => {
    const e = toCalendarEvent({
      ...row,
      endTime: "23:00",
      clientName: "ACME",
      salesRepName: "Sam",
      notes: "n",
      echoEventId: "evt_1",
      contractStatus: "signed",
      beoId: "beo_1",
      source: "echo",
    });
    expect(e).toMatchObject({
      endTime: "23:00",
      clientName: "ACME",
      salesRepName: "Sam",
      notes: "n",
      echoEventId: "evt_1",
      contractStatus: "signed",
      beoId: "beo_1",
      source: "echo",
    });
  });
});
