import type { ContractStatus, EchoCRMEvent, EchoEventPatch } from "@maestro/shared/echo-event.schema";
import type { CalendarStatus } from "@maestro/shared/maestro.schema";
import type { CalendarEventsTable } from "../db/schema.ts";
import type { BeoPatch } from "@maestro/shared/maestro.schema";
import { parseSpecialRequests } from "./special-requests.ts";

// CONTRACT §7 as pure functions. The "canonical" fields are the ones both sides
// edit; they are what the three-way merge compares. They are expressed in Echo's
// terms, so a value means the same thing on both sides.
export type CanonicalFields = {
  eventName: string;
  eventDate: string;
  eventTime: string;
  room: string;
  guaranteed: number;
  specialRequests: string;
};
export type CanonicalField = keyof CanonicalFields;
export const CANONICAL_FIELDS: readonly CanonicalField[] = [
  "eventName",
  "eventDate",
  "eventTime",
  "room",
  "guaranteed",
  "specialRequests",
];

// Echo's sales pipeline seen from operations. A signed contract is a confirmed
// event; a lost or cancelled deal frees the room.
export const CONTRACT_TO_CALENDAR_STATUS: Record<ContractStatus, CalendarStatus> = {
  inquiry: "inquiry",
  tentative: "tentative",
  contract_sent: "tentative",
  signed: "confirmed",
  cancelled: "cancelled",
  lost: "cancelled",
};

export function canonicalFromEcho(event: EchoCRMEvent): CanonicalFields {
  return {
    eventName: event.eventName,
    eventDate: event.eventDate,
    eventTime: event.eventTime,
    room: event.room,
    guaranteed: event.guestCount.guaranteed,
    specialRequests: event.specialRequests,
  };
}

// An Echo snapshot without the client's contact details (e-mail, phone), which no
// Maestro field maps: what Maestro keeps of an event beyond the inbox's raw
// payload (queued snapshots, for one) holds no personal data it does not use.
export function withoutContactDetails(event: EchoCRMEvent): EchoCRMEvent {
  const { clientEmail: _email, clientPhone: _phone, ...rest } = event;
  return rest;
}

// Echo's fields (a webhook's `changedFields`) behind each canonical field.
const CANONICAL_FROM_ECHO_FIELD: Readonly<Record<string, CanonicalField>> = {
  eventName: "eventName",
  eventDate: "eventDate",
  eventTime: "eventTime",
  room: "room",
  guestCount: "guaranteed",
  specialRequests: "specialRequests",
};

// A delivery of an Echo version: which fields that version changed, and when.
export type EchoVersionChange = {
  event: Pick<EchoCRMEvent, "version" | "updatedAt">;
  changedFields?: readonly string[] | undefined;
};

// When Echo changed each canonical field (ms on Echo's clock) between the version
// Maestro last merged (`after`) and the one it merges now (`upto`): of the versions
// that named a field in `changedFields`, the newest; a field none of them named has
// not changed in Echo since `after` (-Infinity: whatever differs there was weighed
// at an earlier merge, which Maestro's side won). Only when a delivery of every
// version in between is at hand (versions go up by one per change): a change in a
// version whose delivery is missing could be newer than any known. Otherwise
// undefined, and the version's own `updatedAt` stands for every field. A change of
// `guestCount` may have been of the expected count only: taken as the guaranteed
// count's, it makes Echo's change look newer than it was, never older.
export function echoFieldChangeTimes(
  after: number,
  upto: number,
  deliveries: readonly EchoVersionChange[],
): Partial<Record<CanonicalField, number>> | undefined {
  if (upto <= after || upto - after > 1000) return undefined;
  const byVersion = new Map<number, EchoVersionChange>();
  for (const d of deliveries)
    if (d.changedFields && d.event.version > after && d.event.version <= upto) byVersion.set(d.event.version, d);
  if (byVersion.size !== upto - after) return undefined;
  const times: Partial<Record<CanonicalField, number>> = Object.fromEntries(
    CANONICAL_FIELDS.map((f) => [f, Number.NEGATIVE_INFINITY]),
  );
  for (const { event, changedFields } of byVersion.values()) {
    const at = Date.parse(event.updatedAt);
    if (Number.isNaN(at)) return undefined;
    for (const name of changedFields!) {
      const field = CANONICAL_FROM_ECHO_FIELD[name];
      if (field && at > times[field]!) times[field] = at;
    }
  }
  return times;
}

// The calendar event always mirrors its BEO (the BEO service keeps them in step),
// so it is Maestro's side of every canonical field.
export function canonicalFromCalendar(
  row: Pick<CalendarEventsTable, "title" | "date" | "time" | "room" | "guestCount" | "notes">,
): CanonicalFields {
  return {
    eventName: row.title,
    eventDate: row.date,
    eventTime: row.time,
    room: row.room,
    guaranteed: row.guestCount,
    specialRequests: row.notes ?? "",
  };
}

// Everything Maestro keeps of an Echo event on its calendar: the mapped fields
// only. Client e-mail and phone are never stored.
export function calendarFieldsFromEcho(
  event: EchoCRMEvent,
): Omit<CalendarEventsTable, "id" | "orgId" | "createdAt" | "updatedAt" | "beoId"> {
  return {
    title: event.eventName,
    date: event.eventDate,
    time: event.eventTime,
    endTime: event.endTime ?? null,
    room: event.room,
    guestCount: event.guestCount.guaranteed,
    status: event.deletedAt ? "cancelled" : CONTRACT_TO_CALENDAR_STATUS[event.contractStatus],
    revenue: event.budget.totalBudget,
    clientName: event.clientName || null,
    salesRepName: event.salesRepName || null,
    notes: event.specialRequests || null,
    source: "echo",
    echoEventId: event.id,
    contractStatus: event.contractStatus,
  };
}

// Canonical values → calendar columns.
export function calendarPatchFromCanonical(values: Partial<CanonicalFields>): Partial<CalendarEventsTable> {
  const patch: Partial<CalendarEventsTable> = {};
  if (values.eventName !== undefined) patch.title = values.eventName;
  if (values.eventDate !== undefined) patch.date = values.eventDate;
  if (values.eventTime !== undefined) patch.time = values.eventTime;
  if (values.room !== undefined) patch.room = values.room;
  if (values.guaranteed !== undefined) patch.guestCount = values.guaranteed;
  if (values.specialRequests !== undefined) patch.notes = values.specialRequests || null;
  return patch;
}

// Canonical values → a BEO patch. specialRequests splits into the setup and kitchen sections.
export function beoPatchFromCanonical(values: Partial<CanonicalFields>): BeoPatch {
  const patch: BeoPatch = {};
  if (values.eventName !== undefined) patch.header = { eventName: values.eventName };
  const event: NonNullable<BeoPatch["event"]> = {};
  if (values.eventDate !== undefined) event.date = values.eventDate;
  if (values.eventTime !== undefined) event.time = values.eventTime;
  if (values.room !== undefined) event.room = values.room;
  if (values.guaranteed !== undefined) event.guaranteed = values.guaranteed;
  if (Object.keys(event).length > 0) patch.event = event;
  if (values.specialRequests !== undefined) {
    const { setup, kitchen } = parseSpecialRequests(values.specialRequests);
    patch.setup = { specialRequests: setup };
    patch.menu = { specialInstructions: kitchen };
  }
  return patch;
}

// Canonical values → an Echo PATCH body.
export function echoPatchFromCanonical(values: Partial<CanonicalFields>): EchoEventPatch {
  const patch: EchoEventPatch = {};
  if (values.eventName !== undefined) patch.eventName = values.eventName;
  if (values.eventDate !== undefined) patch.eventDate = values.eventDate;
  if (values.eventTime !== undefined) patch.eventTime = values.eventTime;
  if (values.room !== undefined) patch.room = values.room;
  if (values.guaranteed !== undefined) patch.guestCount = { guaranteed: values.guaranteed };
  if (values.specialRequests !== undefined) patch.specialRequests = values.specialRequests;
  return patch;
}

// Maps a BEO change-log field to the canonical field it feeds, if any.
export function canonicalFieldOfBeoField(field: string): CanonicalField | undefined {
  switch (field) {
    case "header.eventName":
      return "eventName";
    case "event.date":
      return "eventDate";
    case "event.time":
      return "eventTime";
    case "event.room":
      return "room";
    case "event.guaranteed":
      return "guaranteed";
    case "menu.specialInstructions":
    case "setup.specialRequests":
      return "specialRequests";
    default:
      return undefined;
  }
}

// The BEO fields a frozen canonical field covers (for the editor's banner).
export function beoFieldsOfCanonical(field: CanonicalField): string[] {
  switch (field) {
    case "eventName":
      return ["header.eventName"];
    case "eventDate":
      return ["event.date"];
    case "eventTime":
      return ["event.time"];
    case "room":
      return ["event.room"];
    case "guaranteed":
      return ["event.guaranteed"];
    case "specialRequests":
      return ["menu.specialInstructions", "setup.specialRequests"];
  }
}
