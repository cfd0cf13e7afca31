import { echoEventCreateSchema } from "@maestro/shared/echo-event.schema";
import { describe, expect, it } from "vitest";
import { venues } from "./seed-catalog.ts";
import { generateSeedEvents } from "./seed-data.ts";

const today = new Date("2030-03-10T12:00:00Z");

describe("generateSeedEvents", () => {
  it("is deterministic for the same seed and day", () => {
    expect(generateSeedEvents(50, 42, today)).toEqual(generateSeedEvents(50, 42, today));
    expect(generateSeedEvents(50, 42, today)).not.toEqual(generateSeedEvents(50, 43, today));
  });

  it("extends a shorter run of the same seed", () => {
    expect(generateSeedEvents(80, 7, today).slice(0, 30)).toEqual(generateSeedEvents(30, 7, today));
  });

  it("produces valid, plausible events", () => {
    const events = generateSeedEvents(500, 1, today);
    const capacity = new Map(venues.flatMap((v) => v.rooms.map((r) => [`${v.name}/${r.name}`, r.capacity] as const)));
    for (const event of events) {
      expect(echoEventCreateSchema.safeParse(event).success).toBe(true);
      const roomCapacity = capacity.get(`${event.venue}/${event.room}`);
      expect(roomCapacity).toBeDefined();
      expect(event.guestCount.guaranteed).toBeGreaterThan(0);
      expect(event.guestCount.guaranteed).toBeLessThanOrEqual(event.guestCount.expected ?? 0);
      expect(event.guestCount.expected).toBeLessThanOrEqual(roomCapacity ?? 0);
      expect(event.budget?.totalBudget).toBeGreaterThan(0);
      expect(event.specialRequests).toMatch(/vegetarian|vegan|gluten|kosher|halal|dairy|allergy/);
      const days = (Date.parse(event.eventDate) - Date.parse("2030-03-10")) / 86_400_000;
      expect(days).toBeGreaterThanOrEqual(-14);
      expect(days).toBeLessThanOrEqual(180);
    }
    const statuses = new Set(events.map((e) => e.contractStatus));
    expect(statuses).toContain("signed");
    expect(statuses).toContain("inquiry");
    expect(new Set(events.map((e) => e.room)).size).toBeGreaterThan(5);
    expect(events.some((e) => /Wedding/.test(e.eventName))).toBe(true);
    expect(events.some((e) => /Conference|Summit|Kickoff/.test(e.eventName))).toBe(true);
    expect(events.some((e) => /Gala/.test(e.eventName))).toBe(true);
  });
});
