import type { CalendarEvent, CalendarEventCreate } from "@maestro/shared/maestro.schema";
import { calendarEventCreateSchema, calendarEventPatchSchema } from "@maestro/shared/maestro.schema";
import { newId } from "@maestro/shared/ids";
import type { z } from "zod";
import type { AuthContext } from "../auth/auth-context.ts";
import { notFound } from "../http/errors.ts";
import type { LiveBus } from "../live/live-bus.ts";
import type { RoomRepository } from "../rooms/room.repository.ts";
import { findDoubleBookings, roomClashFrom, toCalendarEvent } from "./calendar-mapper.ts";
import type { CalendarFilter, CalendarRepository } from "./calendar.repository.ts";
import type { CalendarEventsTable, Db } from "../db/schema.ts";
import { conflict } from "../http/errors.ts";

// Hook for the integration: a user's change to an Echo-sourced event must reach Echo.
export type CalendarChangeListener = (
  trx: Db,
  before: CalendarEventsTable,
  after: CalendarEventsTable,
) => Promise<void>;
const MAX_DATES_LISTED = 400;
const BEO_OWNED = ["title", "date", "time", "endTime", "room", "guestCount", "notes"] as const;

export class CalendarService {
  private changeListener: CalendarChangeListener | undefined;

  constructor(
    private readonly db: Db,
    private readonly repo: CalendarRepository,
    private readonly rooms: RoomRepository,
    private readonly live: LiveBus,
  ) {}

  onUserChange(listener: CalendarChangeListener) {
    this.changeListener = listener;
  }

  async list(orgId: string, filter: CalendarFilter): Promise<CalendarEvent[]> {
    const rows = await this.repo.list(orgId, filter);
    const events = rows.map(toCalendarEvent);
    return this.withDoubleBookings(orgId, events);
  }

  async get(orgId: string, id: string): Promise<CalendarEvent> {
    const row = await this.repo.get(orgId, id);
    if (!row) throw notFound("calendar event");
    const [event] = await this.withDoubleBookings(orgId, [toCalendarEvent(row)]);
    return event!;
  }

  async create(ctx: AuthContext, input: CalendarEventCreate): Promise<CalendarEvent> {
    const body = calendarEventCreateSchema.parse(input);
    const now = new Date().toISOString();
    const row: CalendarEventsTable = {
      id: newId("cal"),
      orgId: ctx.orgId,
      title: body.title,
      date: body.date,
      time: body.time,
      endTime: body.endTime ?? null,
      room: body.room,
      guestCount: body.guestCount,
      status: body.status,
      revenue: body.revenue ?? null,
      clientName: body.clientName ?? null,
      salesRepName: body.salesRepName ?? null,
      notes: body.notes ?? null,
      source: "maestro",
      echoEventId: null,
      contractStatus: null,
      beoId: null,
      createdAt: now,
      updatedAt: now,
    };
    await this.repo.insert(row);
    this.live.publish({ orgId: ctx.orgId, type: "calendar.changed", data: { id: row.id } });
    return this.get(ctx.orgId, row.id);
  }

  async update(ctx: AuthContext, id: string, patch: z.output<typeof calendarEventPatchSchema>): Promise<CalendarEvent> {
    await this.db.transaction().execute(async (trx) => {
      await this.repo.lock(ctx.orgId, id, trx);
      const before = await this.repo.get(ctx.orgId, id, trx);
      if (!before) throw notFound("calendar event");
      const changes: Partial<CalendarEventsTable> = {};
      for (const [key, value] of Object.entries(patch) as [keyof CalendarEventsTable, unknown][]) {
        if (value !== undefined) (changes as Record<string, unknown>)[key] = value;
      }
      // With a BEO, the BEO is where these are decided; the calendar mirrors it.
      const owned = BEO_OWNED.filter((k) => k in changes && changes[k] !== before[k]);
      if (before.beoId && owned.length > 0) {
        throw conflict("this event has a BEO: change these fields in the BEO", { fields: owned, beoId: before.beoId });
      }
      const after: CalendarEventsTable = { ...before, ...changes, updatedAt: new Date().toISOString() };
      await this.repo.update(ctx.orgId, id, { ...changes, updatedAt: after.updatedAt }, trx);
      if (this.changeListener) await this.changeListener(trx, before, after);
    });
    this.live.publish({ orgId: ctx.orgId, type: "calendar.changed", data: { id } });
    return this.get(ctx.orgId, id);
  }

  private async withDoubleBookings(orgId: string, events: CalendarEvent[]): Promise<CalendarEvent[]> {
    const active = events.filter((e) => e.status !== "cancelled");
    if (active.length === 0) return events;
    const dates = active.map((e) => e.date).sort();
    const allRooms = await this.rooms.list(orgId);
    const clash = roomClashFrom(allRooms);
    const names = [...new Set(active.map((e) => e.room))];
    const rooms = [
      ...new Set([...names, ...allRooms.map((r) => r.name).filter((r) => names.some((n) => clash(n, r)))]),
    ];
    // Double bookings are within a day: only the results' own dates are read (a
    // handful of search hits across years would otherwise read the whole calendar).
    const days = [...new Set(dates)];
    const others =
      days.length <= MAX_DATES_LISTED
        ? await this.repo.activeOnDates(orgId, days, rooms)
        : await this.repo.activeInRooms(orgId, dates[0]!, dates[dates.length - 1]!, rooms);
    const overlaps = findDoubleBookings(others, clash, new Set(active.map((e) => e.id)));
    return events.map((e) => {
      const withIds = overlaps.get(e.id);
      return withIds && e.status !== "cancelled" ? { ...e, doubleBookedWith: withIds } : e;
    });
  }
}
