import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, startTestMaestro, type TestMaestro } from "../testing/test-server.ts";

describe("calendar events", () => {
  let m: TestMaestro;
  let admin: ReturnType<typeof apiClient>;
  beforeAll(async () => {
    m = await startTestMaestro();
    admin = apiClient(m.url, m.adminKey);
    const base = { time: "18:00", endTime: "23:00", guestCount: 120, status: "confirmed" };
    await admin("POST", "/api/calendar/events", {
      ...base,
      title: "Okafor Wedding",
      date: "2027-05-01",
      room: "Grand Ballroom",
      clientName: "Chinwe Okafor",
      salesRepName: "Maria Lopez",
    });
    await admin("POST", "/api/calendar/events", {
      ...base,
      title: "Pharma Gala",
      date: "2027-05-01",
      time: "20:00",
      room: "Grand Ballroom",
      clientName: "Helix Labs",
    });
    await admin("POST", "/api/calendar/events", {
      ...base,
      title: "Board Lunch",
      date: "2027-05-02",
      time: "12:00",
      endTime: "14:00",
      room: "Library",
      clientName: "Northwind",
    });
    await admin("POST", "/api/calendar/events", {
      ...base,
      title: "Breakfast",
      date: "2027-05-02",
      time: "07:00",
      endTime: "09:00",
      room: "Library",
      clientName: "Northwind",
    });
  });
  afterAll(async () => m.stop());

  it("filters by date range and room", async () => {
    const may1 = await admin("GET", "/api/calendar/events?from=2027-05-01&to=2027-05-01");
    expect(may1.body.data.map((e: any) => e.title).sort()).toEqual(["Okafor Wedding", "Pharma Gala"]);
    const library = await admin("GET", "/api/calendar/events?room=library");
    expect(library.body.data).toHaveLength(2);
    const echo = await admin("GET", "/api/calendar/events?source=echo");
    expect(echo.body.data).toEqual([]);
  });

  it("searches title, client, sales rep and room, case-insensitively, including short terms", async () => {
    const q = async (term: string) =>
      (await admin("GET", `/api/calendar/events?q=${encodeURIComponent(term)}`)).body.data
        .map((e: any) => e.title)
        .sort();
    expect(await q("okafor")).toEqual(["Okafor Wedding"]);
    expect(await q("HELIX")).toEqual(["Pharma Gala"]);
    expect(await q("maria lop")).toEqual(["Okafor Wedding"]);
    expect(await q("ballroom")).toEqual(["Okafor Wedding", "Pharma Gala"]);
    expect(await q("li")).toEqual(["Board Lunch", "Breakfast", "Pharma Gala"]);
    expect(await q("100%_off")).toEqual([]);
  });

  it("keeps search current through updates, whichever fields they change", async () => {
    const created = await admin("POST", "/api/calendar/events", {
      title: "Quayside Supper",
      date: "2027-06-03",
      time: "19:00",
      room: "Harbor Room",
      guestCount: 40,
      status: "tentative",
      clientName: "Ilse Brandt",
    });
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    const titles = async (term: string) =>
      (await admin("GET", `/api/calendar/events?q=${encodeURIComponent(term)}`)).body.data.map((e: any) => e.title);
    const repo = m.maestro.services.calendarRepo;
    const db = m.maestro.database.db;
    // SQLite: rows written by the statement, its triggers' included (the search index is one).
    const written = async (run: () => Promise<unknown>) => {
      const before = Number((await sql<{ n: number }>`select total_changes() as n`.execute(db)).rows[0]!.n);
      await run();
      return Number((await sql<{ n: number }>`select total_changes() as n`.execute(db)).rows[0]!.n) - before;
    };

    // Not a searched field: found as before (and on SQLite the index is not written again).
    const guests = () =>
      repo.update(m.orgId, id, { guestCount: 55, status: "confirmed", updatedAt: "2027-01-01T00:00:00.000Z" });
    if (m.maestro.database.dialect === "sqlite") expect(await written(guests)).toBe(1);
    else await guests();
    expect(await titles("quayside")).toEqual(["Quayside Supper"]);
    expect(await titles("brandt")).toEqual(["Quayside Supper"]);

    // Searched fields: the old words are gone, the new ones found.
    await repo.update(m.orgId, id, { title: "Lantern Supper", clientName: "Ilse Marx", room: "Terrace" });
    expect(await titles("quayside")).toEqual([]);
    expect(await titles("brandt")).toEqual([]);
    expect(await titles("lantern")).toEqual(["Lantern Supper"]);
    expect(await titles("ilse marx")).toEqual(["Lantern Supper"]);
    expect(await titles("terrace")).toEqual(["Lantern Supper"]);
  });

  it("warns of double bookings only for overlapping active events in one room", async () => {
    const all = await admin("GET", "/api/calendar/events");
    const byTitle = Object.fromEntries(all.body.data.map((e: any) => [e.title, e]));
    expect(byTitle["Okafor Wedding"].doubleBookedWith).toEqual([byTitle["Pharma Gala"].id]);
    expect(byTitle["Board Lunch"].doubleBookedWith).toBeUndefined();
    await admin("PATCH", `/api/calendar/events/${byTitle["Pharma Gala"].id}`, { status: "cancelled" });
    const after = await admin("GET", `/api/calendar/events/${byTitle["Okafor Wedding"].id}`);
    expect(after.body.doubleBookedWith).toBeUndefined();
  });

  it("counts a combined room as booked when one of its parts is", async () => {
    await admin("POST", "/api/rooms", {
      name: "Grand Ballroom",
      capacity: 400,
      combinesWith: ["Ballroom A", "Ballroom B"],
    });
    const part = await admin("POST", "/api/calendar/events", {
      title: "Sales Kickoff",
      date: "2027-05-01",
      time: "19:00",
      endTime: "22:00",
      room: "Ballroom A",
      guestCount: 150,
    });
    expect(part.body.doubleBookedWith).toHaveLength(1);
    const other = await admin("POST", "/api/calendar/events", {
      title: "Breakout",
      date: "2027-05-01",
      time: "19:00",
      room: "Library",
      guestCount: 10,
    });
    expect(other.body.doubleBookedWith).toBeUndefined();
  });
});
