import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CalendarEventsTable } from "../db/schema.ts";
import { apiClient, startTestMaestro, type TestMaestro } from "../testing/test-server.ts";

// A page of search results over a calendar larger than the first events in date
// order that SQLite looks at for a common term (calendar.repository.ts): whichever
// way a term is answered, the page holds its first matches in date order, and only
// events that pass every other filter.
describe("calendar search: a page of results over a large calendar", () => {
  let m: TestMaestro;
  let admin: ReturnType<typeof apiClient>;
  const events: CalendarEventsTable[] = [];
  const COUNT = 2400;
  // A Maestro-only event: no Echo id, no contract, no BEO, nothing optional set.
  const localEvent = {
    endTime: null,
    revenue: null,
    clientName: null,
    salesRepName: null,
    notes: null,
    source: "maestro",
    echoEventId: null,
    contractStatus: null,
    beoId: null,
  } satisfies Partial<CalendarEventsTable>;

  beforeAll(async () => {
    m = await startTestMaestro();
    admin = apiClient(m.url, m.adminKey);
    const now = new Date().toISOString();
    const rooms = ["Grand Ballroom", "Library", "Terrace"];
    for (let i = 0; i < COUNT; i++) {
      // Two events a day from 2027-01-01, inserted out of date order.
      const n = (i * 7919) % COUNT;
      const date = new Date(Date.UTC(2027, 0, 1) + Math.floor(n / 2) * 86_400_000).toISOString().slice(0, 10);
      // "common" in every 4th event (in every room); "late" only in the last 300 by date;
      // "mixed" in 20 early and 40 late ones; "rare" once.
      const words = [
        n % 4 === 0 ? "common" : "",
        n >= COUNT - 300 ? "late" : "",
        (n < 200 && n % 10 === 0) || (n >= 2000 && n % 10 === 0) ? "mixed" : "",
        n === 1717 ? "rare" : "",
      ].filter(Boolean);
      events.push({
        id: `cal_search_${String(n).padStart(5, "0")}`,
        orgId: m.orgId,
        title: `Event ${n} ${words.join(" ")}`.trim(),
        date,
        time: n % 2 === 0 ? "12:00" : "18:00",
        room: rooms[n % 3]!,
        guestCount: 50,
        status: n % 5 === 0 ? "tentative" : "confirmed",
        ...localEvent,
        createdAt: now,
        updatedAt: now,
      });
    }
    await m.maestro.services.calendarRepo.insertMany(events);
  });
  afterAll(async () => m.stop());

  const byDate = (a: CalendarEventsTable, b: CalendarEventsTable) =>
    a.date.localeCompare(b.date) || a.time.localeCompare(b.time) || a.id.localeCompare(b.id);
  const expected = (pick: (e: CalendarEventsTable) => boolean, limit: number) =>
    events
      .filter(pick)
      .sort(byDate)
      .slice(0, limit)
      .map((e) => e.id);
  const search = async (query: string) => {
    const res = await admin("GET", `/api/calendar/events?${query}`);
    expect(res.status).toBe(200);
    return (res.body.data as { id: string }[]).map((e) => e.id);
  };
  const has = (word: string) => (e: CalendarEventsTable) => e.title.toLowerCase().includes(word);

  it("returns a common term's first matches in date order", async () => {
    expect(await search("q=common&limit=50")).toEqual(expected(has("common"), 50));
    expect(await search("q=COMMON&limit=200")).toEqual(expected(has("common"), 200));
  });

  it("finds a term whose matches all come after the first thousand events", async () => {
    expect(await search("q=late&limit=50")).toEqual(expected(has("late"), 50));
    expect(await search("q=rare&limit=50")).toEqual(expected(has("rare"), 50));
    expect(await search("q=absent&limit=50")).toEqual([]);
  });

  it("fills a page from both early and late matches when the first events hold too few", async () => {
    const ids = await search("q=mixed&limit=50");
    expect(ids).toHaveLength(50);
    expect(ids).toEqual(expected(has("mixed"), 50));
  });

  it("applies the other filters before taking the first matches", async () => {
    const cases: [string, (e: CalendarEventsTable) => boolean][] = [
      ["status=tentative", (e) => e.status === "tentative"],
      ["room=terrace", (e) => e.room === "Terrace"],
      ["from=2027-06-01", (e) => e.date >= "2027-06-01"],
    ];
    for (const [filter, pick] of cases) {
      const want = expected((e) => has("common")(e) && pick(e), 50);
      expect(want).toHaveLength(50);
      expect(await search(`q=common&limit=50&${filter}`)).toEqual(want);
    }
  });
});
