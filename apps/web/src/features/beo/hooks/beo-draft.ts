import { beoPatchSchema, type BEODocument, type BeoPatch } from "@maestro/shared/maestro.schema";
import { issuesByPath } from "../../../lib/validation";

// The editor works on a string-typed draft (inputs hold text); the patch sent
// to the server names only what differs from the loaded document.

export type MenuItemDraft = { key: string; name: string; quantity: string; dietary: string[] };

export type BeoDraft = {
  status: BEODocument["status"];
  header: { eventName: string; clientName: string; salesRepName: string };
  event: {
    date: string;
    time: string;
    endTime: string;
    room: string;
    expected: string;
    guaranteed: string;
    set: string;
  };
  menu: { items: MenuItemDraft[]; specialInstructions: string };
  setup: { layout: string; specialRequests: string };
};

let keySeq = 0;
export const newItemKey = () => `item-${++keySeq}`;

const str = (n: number | undefined | null) => (n === undefined || n === null ? "" : String(n));

export function draftFromDoc(doc: BEODocument): BeoDraft {
  return {
    status: doc.status,
    header: {
      eventName: doc.header.eventName,
      clientName: doc.header.clientName ?? "",
      salesRepName: doc.header.salesRepName ?? "",
    },
    event: {
      date: doc.event.date,
      time: doc.event.time,
      endTime: doc.event.endTime ?? "",
      room: doc.event.room,
      expected: str(doc.event.expected),
      guaranteed: str(doc.event.guaranteed),
      set: str(doc.event.set),
    },
    menu: {
      items: doc.menu.items.map((i) => ({
        key: newItemKey(),
        name: i.name,
        quantity: str(i.quantity),
        dietary: i.dietary ?? [],
      })),
      specialInstructions: doc.menu.specialInstructions,
    },
    setup: { layout: doc.setup.layout ?? "", specialRequests: doc.setup.specialRequests },
  };
}

const WHOLE = /^\d+$/;
const toInt = (s: string) => Number(s.trim());

function itemsFromDraft(items: MenuItemDraft[]) {
  return items.map((i) => {
    const item: { name: string; quantity?: number; dietary?: string[] } = { name: i.name.trim() };
    if (i.quantity.trim() !== "") item.quantity = toInt(i.quantity);
    if (i.dietary.length) item.dietary = i.dietary;
    return item;
  });
}

function itemsFromDoc(doc: BEODocument) {
  return doc.menu.items.map((i) => {
    const item: { name: string; quantity?: number; dietary?: string[] } = { name: i.name };
    if (i.quantity !== undefined) item.quantity = i.quantity;
    if (i.dietary?.length) item.dietary = i.dietary;
    return item;
  });
}

// Returns the minimal PATCH body, or null when nothing changed.
export function buildPatch(doc: BEODocument, draft: BeoDraft): BeoPatch | null {
  const patch: BeoPatch = {};
  const header: NonNullable<BeoPatch["header"]> = {};
  if (draft.header.eventName !== doc.header.eventName) header.eventName = draft.header.eventName.trim();
  if (draft.header.clientName !== (doc.header.clientName ?? "")) header.clientName = draft.header.clientName;
  if (draft.header.salesRepName !== (doc.header.salesRepName ?? "")) header.salesRepName = draft.header.salesRepName;
  if (Object.keys(header).length) patch.header = header;

  const ev: NonNullable<BeoPatch["event"]> = {};
  const d = draft.event;
  if (d.date !== doc.event.date) ev.date = d.date;
  if (d.time !== doc.event.time) ev.time = d.time;
  if (d.endTime !== (doc.event.endTime ?? "")) ev.endTime = d.endTime === "" ? null : d.endTime;
  if (d.room !== doc.event.room) ev.room = d.room.trim();
  if (d.expected !== str(doc.event.expected)) ev.expected = d.expected.trim() === "" ? null : toInt(d.expected);
  if (d.guaranteed !== str(doc.event.guaranteed)) ev.guaranteed = toInt(d.guaranteed);
  if (d.set !== str(doc.event.set)) ev.set = d.set.trim() === "" ? null : toInt(d.set);
  if (Object.keys(ev).length) patch.event = ev;

  const menu: NonNullable<BeoPatch["menu"]> = {};
  const items = itemsFromDraft(draft.menu.items);
  if (JSON.stringify(items) !== JSON.stringify(itemsFromDoc(doc))) menu.items = items;
  if (draft.menu.specialInstructions !== doc.menu.specialInstructions)
    menu.specialInstructions = draft.menu.specialInstructions;
  if (Object.keys(menu).length) patch.menu = menu;

  const setup: NonNullable<BeoPatch["setup"]> = {};
  if (draft.setup.layout !== (doc.setup.layout ?? ""))
    setup.layout = draft.setup.layout === "" ? null : draft.setup.layout;
  if (draft.setup.specialRequests !== doc.setup.specialRequests) setup.specialRequests = draft.setup.specialRequests;
  if (Object.keys(setup).length) patch.setup = setup;

  if (draft.status !== doc.status && draft.status !== "approved") patch.status = draft.status;
  return Object.keys(patch).length ? patch : null;
}

// Field errors keyed by path ("event.guaranteed", "menu.items.2.name").
export function validateDraft(draft: BeoDraft, patch: BeoPatch | null): Record<string, string> {
  const errors: Record<string, string> = {};
  const whole = (path: string, value: string, required: boolean) => {
    if (value.trim() === "") {
      if (required) errors[path] = "Required.";
    } else if (!WHOLE.test(value.trim())) errors[path] = "Enter a whole number (0 or more).";
  };
  whole("event.expected", draft.event.expected, false);
  whole("event.guaranteed", draft.event.guaranteed, true);
  whole("event.set", draft.event.set, false);
  draft.menu.items.forEach((item, i) => {
    if (!item.name.trim()) errors[`menu.items.${i}.name`] = "Name the dish or drop the item.";
    whole(`menu.items.${i}.quantity`, item.quantity, false);
  });
  if (!draft.header.eventName.trim()) errors["header.eventName"] = "Required.";
  if (!draft.event.room.trim()) errors["event.room"] = "Required.";
  if (patch && Object.keys(errors).length === 0) {
    const parsed = beoPatchSchema.safeParse(patch);
    if (!parsed.success) {
      for (const [path, message] of Object.entries(issuesByPath(parsed.error.issues))) errors[path] ??= message;
    }
  }
  return errors;
}

// Sync-engine field names (Echo side) → the BEO paths they freeze or mark.
const aliases: Record<string, string[]> = {
  eventName: ["header.eventName"],
  title: ["header.eventName"],
  eventDate: ["event.date"],
  date: ["event.date"],
  eventTime: ["event.time"],
  time: ["event.time"],
  room: ["event.room"],
  guestCount: ["event.guaranteed"],
  guaranteed: ["event.guaranteed"],
  "guestCount.guaranteed": ["event.guaranteed"],
  specialRequests: ["menu.specialInstructions", "setup.specialRequests"],
  notes: ["menu.specialInstructions", "setup.specialRequests"],
};

export function expandFieldList(list: string[] | undefined): Set<string> {
  const out = new Set<string>();
  for (const f of list ?? []) {
    out.add(f);
    aliases[f]?.forEach((a) => out.add(a));
    // "menu.items.3.name" marks the whole items list
    const m = /^menu\.items(\.|$)/.exec(f);
    if (m) out.add("menu.items");
  }
  return out;
}
