import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { beoPatch, echoPatch, EDITED_FIELDS, valueFor } from "../testing/edit-values.ts";
import { prng } from "../testing/process-kit.ts";
import { settle, startSyncKit, waitFor, weddingEvent, type SyncKit } from "../testing/sync-test-kit.ts";

const EVENTS = 12;
const EDITS = 500;
const FIELDS = EDITED_FIELDS;

describe("sync under faults", () => {
  let kit: SyncKit;
  beforeAll(async () => {
    kit = await startSyncKit({ policy: "newest_wins" });
  });
  afterAll(async () => kit.stop());

  // The sandbox's faults hit our own test calls too: retry what it refuses.
  async function echoCall(method: string, url: string, body?: unknown) {
    for (let attempt = 0; ; attempt++) {
      const res = await kit.echo(method, url, body);
      if ((res.status < 500 && res.status !== 429) || attempt > 20) return res;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it("converges after 500 random edits on both sides with drops, duplicates, reorders, 5xx and a skewed clock", async () => {
    const ids: string[] = [];
    const beoIds = new Map<string, string>();
    for (let i = 0; i < EVENTS; i++) {
      const created = await kit.echo("POST", "/v1/events", {
        ...weddingEvent,
        eventName: `Fault event ${i}`,
        contractStatus: "signed",
        specialRequests: "",
      });
      ids.push(created.body.id);
    }
    for (const id of ids) {
      beoIds.set(
        id,
        await waitFor("BEO", async () => (await kit.admin("GET", `/api/beos?echoEventId=${id}`)).body.data[0]?.id),
      );
    }
    await settle(kit);

    await kit.echo("POST", "/_sandbox/faults", {
      dropRate: 0.2,
      duplicateRate: 0.2,
      reorderWindowMs: 200,
      errorRate: 0.1,
      clockSkewMs: 10 * 60 * 1000,
    });
    const random = prng(20261125);
    const last = { echo: new Map<string, unknown>(), maestro: new Map<string, unknown>() };
    let n = 0;
    const edit = async () => {
      const k = n++;
      const id = ids[Math.floor(random() * ids.length)]!;
      const field = FIELDS[Math.floor(random() * FIELDS.length)]!;
      const side = random() < 0.5 ? "echo" : "maestro";
      const value = valueFor(field, side, k);
      if (side === "echo") {
        const res = await echoCall("PATCH", `/v1/events/${id}`, echoPatch(field, value));
        expect(res.status, JSON.stringify(res.body)).toBe(200);
      } else {
        const res = await kit.admin("PATCH", `/api/beos/${beoIds.get(id)}`, beoPatch(field, value));
        expect(res.status, JSON.stringify(res.body)).toBe(200);
      }
      last[side].set(`${id}|${field}`, value);
    };
    for (let i = 0; i < EDITS; i += 5) await Promise.all([edit(), edit(), edit(), edit(), edit()]);

    await kit.echo("POST", "/_sandbox/faults", {});
    await settle(kit, 60_000);
    const sync = await kit.admin("POST", "/api/echo-integration/sync", { full: true });
    expect(sync.status).toBe(202);
    await settle(kit, 60_000);

    const history: any[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await kit.admin(
        "GET",
        `/api/echo-integration/history?limit=500${cursor ? `&cursor=${cursor}` : ""}`,
      );
      history.push(...page.body.data);
      cursor = page.body.nextCursor;
    } while (cursor);
    const conflicts = (await kit.admin("GET", "/api/echo-integration/conflicts")).body.data as any[];

    for (const id of ids) {
      const echo = (await kit.echo("GET", `/v1/events/${id}`)).body;
      const beo = (await kit.admin("GET", `/api/beos/${beoIds.get(id)}`)).body;
      const cal = (await kit.admin("GET", `/api/calendar/events/${beo.calendarEventId}`)).body;
      const maestro = {
        guaranteed: beo.event.guaranteed,
        room: beo.event.room,
        eventTime: beo.event.time,
        eventName: beo.header.eventName,
        specialRequests: cal.notes ?? "",
      };
      const echoSide = {
        guaranteed: echo.guestCount.guaranteed,
        room: echo.room,
        eventTime: echo.eventTime,
        eventName: echo.eventName,
        specialRequests: echo.specialRequests,
      };
      expect(maestro, `event ${id}`).toEqual(echoSide);
      expect({ title: cal.title, date: cal.date, time: cal.time, room: cal.room, guestCount: cal.guestCount }).toEqual({
        title: echo.eventName,
        date: echo.eventDate,
        time: echo.eventTime,
        room: echo.room,
        guestCount: echo.guestCount.guaranteed,
      });
      // Every value a side wrote last and lost either reached the other side
      // first (a later edit replaced it) or is on record as a conflict.
      for (const field of FIELDS) {
        const final = (echoSide as Record<string, unknown>)[field];
        for (const side of ["echo", "maestro"] as const) {
          const value = last[side].get(`${id}|${field}`);
          if (value === undefined || value === final) continue;
          const flowed = history.some(
            (op) =>
              op.echoEventId === id &&
              op.direction === (side === "echo" ? "echo_to_maestro" : "maestro_to_echo") &&
              op.changes.some((c: any) => c.field === field && c.to === value),
          );
          const recorded = conflicts.some(
            (c) =>
              c.echoEventId === id &&
              c.fields.some(
                (f: any) => f.field === field && f[side === "echo" ? "echoValue" : "maestroValue"] === value,
              ),
          );
          expect(
            flowed || recorded,
            `${side}'s ${field}=${JSON.stringify(value)} on ${id} was overwritten without a record`,
          ).toBe(true);
        }
      }
    }
    // The faults did bite: conflicts were decided, and repeats/echoes were skipped.
    expect(conflicts.length).toBeGreaterThan(0);
    expect(history.some((op) => op.status === "skipped")).toBe(true);
    console.log(
      `conflicts ${conflicts.length}, operations ${history.length}, skipped ${history.filter((o) => o.status === "skipped").length}, failed ${history.filter((o) => o.status === "failed").length}`,
    );
    const beosPerEvent = await Promise.all(
      ids.map(async (id) => (await kit.admin("GET", `/api/beos?echoEventId=${id}`)).body.data.length),
    );
    expect(beosPerEvent.every((count) => count === 1)).toBe(true);
  }, 240_000);
});
