import type { CalendarEvent } from "@maestro/shared/maestro.schema";
import type { CalendarEventsTable } from "../db/schema.ts";

export function toCalendarEvent(row: CalendarEventsTable): CalendarEvent {
  return {
    id: row.id,
    title: row.title,
    date: row.date,
    time: row.time,
    ...(row.endTime ? { endTime: row.endTime } : {}),
    room: row.room,
    guestCount: row.guestCount,
    status: row.status as CalendarEvent["status"],
    ...(row.revenue != null ? { revenue: row.revenue } : {}),
    ...(row.clientName ? { clientName: row.clientName } : {}),
    ...(row.salesRepName ? { salesRepName: row.salesRepName } : {}),
    ...(row.notes ? { notes: row.notes } : {}),
    source: row.source as CalendarEvent["source"],
    ...(row.echoEventId ? { echoEventId: row.echoEventId } : {}),
    ...(row.contractStatus ? { contractStatus: row.contractStatus as CalendarEvent["contractStatus"] } : {}),
    ...(row.beoId ? { beoId: row.beoId } : {}),
    updatedAt: row.updatedAt,
  };
}

const DEFAULT_DURATION_MINUTES = 4 * 60;
const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

// Minutes from midnight; an event without an end time is assumed to last four hours,
// and an end time before the start runs past midnight.
function span(e: { time: string; endTime?: string | null }): [number, number] {
  const start = minutes(e.time);
  if (!e.endTime) return [start, start + DEFAULT_DURATION_MINUTES];
  let end = minutes(e.endTime);
  if (end <= start) end += 24 * 60;
  return [start, end];
}

export type BookingSlot = {
  id: string;
  date: string;
  time: string;
  endTime?: string | null;
  room: string;
  status: string;
};

// Rooms that cannot be used at the same time: a room and its combinable parts
// (the Grand Ballroom is Ballroom A plus Ballroom B). Names compare case-insensitively.
export type RoomClash = (a: string, b: string) => boolean;
export const sameRoom: RoomClash = (a, b) => a.toLowerCase() === b.toLowerCase();

export function roomClashFrom(rooms: readonly { name: string; combinesWith: readonly string[] }[]): RoomClash {
  const related = new Map<string, Set<string>>();
  const link = (a: string, b: string) => {
    const set = related.get(a) ?? new Set<string>();
    set.add(b);
    related.set(a, set);
  };
  for (const room of rooms) {
    for (const other of room.combinesWith) {
      link(room.name.toLowerCase(), other.toLowerCase());
      link(other.toLowerCase(), room.name.toLowerCase());
    }
  }
  return (a, b) => sameRoom(a, b) || (related.get(a.toLowerCase())?.has(b.toLowerCase()) ?? false);
}

// For each event, the ids of other active events that overlap it in the same
// room (or in a room that shares space with it). With `only`, just for those
// events (a single event's page need not pair up the whole day).
export function findDoubleBookings(
  events: readonly BookingSlot[],
  clash: RoomClash = sameRoom,
  only?: ReadonlySet<string>,
): Map<string, string[]> {
  type Slot = { id: string; room: string; start: number; end: number };
  const byDay = new Map<string, Slot[]>();
  for (const e of events) {
    if (e.status === "cancelled") continue;
    const [start, end] = span(e);
    const list = byDay.get(e.date);
    const slot = { id: e.id, room: e.room.toLowerCase(), start, end };
    if (list) list.push(slot);
    else byDay.set(e.date, [slot]);
  }
  const result = new Map<string, string[]>();
  const add = (a: string, b: string) => {
    const list = result.get(a);
    if (list) list.push(b);
    else result.set(a, [b]);
  };
  for (const list of byDay.values()) {
    if (list.length < 2) continue;
    for (let i = 0; i < list.length; i++) {
      const a = list[i]!;
      const aWanted = !only || only.has(a.id);
      for (let j = i + 1; j < list.length; j++) {
        const b = list[j]!;
        const bWanted = !only || only.has(b.id);
        if (!aWanted && !bWanted) continue;
        if (a.start >= b.end || b.start >= a.end || !clash(a.room, b.room)) continue;
        if (aWanted) add(a.id, b.id);
        if (bWanted) add(b.id, a.id);
      }
    }
  }
  return result;
}
