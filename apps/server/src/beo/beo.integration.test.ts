import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, startTestMaestro, type TestMaestro } from "../testing/test-server.ts";

const weddingBeo = {
  header: { eventName: "Nguyen–Patel Wedding", clientName: "Anh Nguyen", salesRepName: "Maria Lopez" },
  event: {
    date: "2027-06-12",
    time: "17:30",
    endTime: "23:00",
    room: "Grand Ballroom",
    expected: 190,
    guaranteed: 180,
  },
  menu: {
    items: [
      { name: "Heirloom tomato salad", quantity: 180, dietary: ["V", "GF"] },
      { name: "Braised short rib", quantity: 150 },
      { name: "Wild mushroom risotto", quantity: 30, dietary: ["V"] },
    ],
    specialInstructions: "Two nut allergies at table 4.",
  },
  setup: { layout: "Rounds of 10", specialRequests: "Dance floor in front of the stage." },
};

describe("BEOs over HTTP", () => {
  let m: TestMaestro;
  let admin: ReturnType<typeof apiClient>;
  beforeAll(async () => {
    m = await startTestMaestro();
    admin = apiClient(m.url, m.adminKey);
  });
  afterAll(async () => m.stop());

  it("creates a BEO from scratch with a per-organization number and a derived set count", async () => {
    const a = await admin("POST", "/api/beos", weddingBeo);
    const b = await admin("POST", "/api/beos", { ...weddingBeo, header: { eventName: "Second" } });
    expect(a.status).toBe(201);
    expect(a.body.status).toBe("draft");
    expect(a.body.version).toBe(1);
    expect(b.body.beoNumber).toBe(a.body.beoNumber + 1);
    // 3% default overage over 180 guaranteed.
    expect(a.body.event.set).toBe(186);
    const cal = await admin("GET", `/api/calendar/events/${a.body.calendarEventId}`);
    expect(cal.body.beoId).toBe(a.body.id);
    expect(cal.body.guestCount).toBe(180);
  });

  it("creates a BEO from a calendar event, once", async () => {
    const event = await admin("POST", "/api/calendar/events", {
      title: "Acme Q3 Offsite",
      date: "2027-03-04",
      time: "09:00",
      room: "Harbor Room",
      guestCount: 40,
      clientName: "Acme Corp",
    });
    expect(event.status).toBe(201);
    const beo = await admin("POST", "/api/beos", { calendarEventId: event.body.id });
    expect(beo.status).toBe(201);
    expect(beo.body.header).toMatchObject({ eventName: "Acme Q3 Offsite", clientName: "Acme Corp" });
    expect(beo.body.event).toMatchObject({ date: "2027-03-04", room: "Harbor Room", guaranteed: 40 });
    const again = await admin("POST", "/api/beos", { calendarEventId: event.body.id });
    expect(again.status).toBe(409);
    expect(again.body.error.details.beoId).toBe(beo.body.id);
  });

  it("versions every change, refuses a stale If-Match with 412 and logs each field change", async () => {
    const created = await admin("POST", "/api/beos", weddingBeo);
    const id = created.body.id;
    const first = await admin("PATCH", `/api/beos/${id}`, { event: { guaranteed: 185 } }, { "if-match": "1" });
    expect(first.status).toBe(200);
    expect(first.body.version).toBe(2);
    const second = await admin(
      "PATCH",
      `/api/beos/${id}`,
      { menu: { specialInstructions: "Three nut allergies." } },
      { "if-match": "2" },
    );
    expect(second.body.version).toBe(3);
    const stale = await admin("PATCH", `/api/beos/${id}`, { event: { guaranteed: 1 } }, { "if-match": "2" });
    expect(stale.status).toBe(412);
    expect(stale.body.error.code).toBe("version_mismatch");
    const revisions = await admin("GET", `/api/beos/${id}/revisions`);
    const guaranteed = revisions.body.data.find((r: any) => r.field === "event.guaranteed");
    expect(guaranteed).toMatchObject({ old: 180, new: 185, who: "api-key:test admin", source: "user", version: 2 });
    const instructions = revisions.body.data.find((r: any) => r.field === "menu.specialInstructions");
    expect(instructions).toMatchObject({
      old: "Two nut allergies at table 4.",
      new: "Three nut allergies.",
      version: 3,
    });
    const unchanged = await admin("PATCH", `/api/beos/${id}`, { event: { guaranteed: 185 } });
    expect(unchanged.body.version).toBe(3);
  });

  it("lets a chef approve, and sends a changed approved BEO back to pending approval with what changed", async () => {
    const chef = apiClient(m.url, m.keys.chef);
    const sales = apiClient(m.url, m.keys.sales);
    const created = await admin("POST", "/api/beos", weddingBeo);
    const id = created.body.id;
    expect((await sales("POST", `/api/beos/${id}/approve`)).status).toBe(403);
    const approved = await chef("POST", `/api/beos/${id}/approve`);
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe("approved");
    const changed = await admin("PATCH", `/api/beos/${id}`, {
      event: { guaranteed: 200 },
      setup: { layout: "Long tables" },
    });
    expect(changed.body.status).toBe("pending_approval");
    expect(changed.body.changedSinceApproval.sort()).toEqual(["event.guaranteed", "setup.layout"]);
    const reapproved = await chef("POST", `/api/beos/${id}/approve`);
    expect(reapproved.body.changedSinceApproval).toEqual([]);
  });

  it("cancels a BEO and its calendar event, keeping the history", async () => {
    const created = await admin("POST", "/api/beos", weddingBeo);
    const cancelled = await admin("PATCH", `/api/beos/${created.body.id}`, { status: "cancelled" });
    expect(cancelled.body.status).toBe("cancelled");
    const cal = await admin("GET", `/api/calendar/events/${created.body.calendarEventId}`);
    expect(cal.body.status).toBe("cancelled");
    const edit = await admin("PATCH", `/api/beos/${created.body.id}`, { event: { guaranteed: 5 } });
    expect(edit.status).toBe(409);
    const revisions = await admin("GET", `/api/beos/${created.body.id}/revisions`);
    expect(revisions.body.data.some((r: any) => r.field === "status" && r.new === "cancelled")).toBe(true);
  });

  it("lets only admin and ops cancel, whether by the cancel route or by a change of status", async () => {
    const created = await admin("POST", "/api/beos", weddingBeo);
    for (const role of ["chef", "sales", "viewer"] as const) {
      const client = apiClient(m.url, m.keys[role]);
      const patched = await client("PATCH", `/api/beos/${created.body.id}`, { status: "cancelled" });
      expect(patched.status).toBe(403);
      expect(patched.body.error.code).toBe("forbidden");
      expect((await client("POST", `/api/beos/${created.body.id}/cancel`)).status).toBe(403);
    }
    const unchanged = await admin("GET", `/api/beos/${created.body.id}`);
    expect(unchanged.body.status).toBe("draft");
    expect(unchanged.body.version).toBe(created.body.version);
    // A chef still changes what a chef changes.
    const chef = apiClient(m.url, m.keys.chef);
    const edited = await chef("PATCH", `/api/beos/${created.body.id}`, {
      menu: { specialInstructions: "No nuts at table 4." },
    });
    expect(edited.status).toBe(200);
    const ops = apiClient(m.url, m.keys.ops);
    const cancelled = await ops("PATCH", `/api/beos/${created.body.id}`, { status: "cancelled" });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe("cancelled");
  });

  it("lists with filters and cursor paging", async () => {
    const page1 = await admin("GET", "/api/beos?limit=2");
    expect(page1.body.data).toHaveLength(2);
    expect(page1.body.nextCursor).toBeTruthy();
    const page2 = await admin("GET", `/api/beos?limit=2&cursor=${page1.body.nextCursor}`);
    const ids = new Set([...page1.body.data, ...page2.body.data].map((b: any) => b.id));
    expect(ids.size).toBe(page1.body.data.length + page2.body.data.length);
    const byDate = await admin("GET", "/api/beos?date=2027-03-04");
    expect(byDate.body.data.map((b: any) => b.header.eventName)).toEqual(["Acme Q3 Offsite"]);
    const cancelled = await admin("GET", "/api/beos?status=cancelled");
    expect(cancelled.body.data.every((b: any) => b.status === "cancelled")).toBe(true);
  });

  it("serves a PDF", async () => {
    const created = await admin("POST", "/api/beos", weddingBeo);
    const res = await fetch(`${m.url}/api/beos/${created.body.id}/pdf`, {
      headers: { authorization: `Bearer ${m.adminKey}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.subarray(0, 5).toString()).toBe("%PDF-");
  });
});
