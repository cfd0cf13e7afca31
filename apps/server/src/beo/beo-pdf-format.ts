import type { BEODocument } from "@maestro/shared/maestro.schema";

// How the printed BEO (beo-pdf.ts) looks and reads: its palette and type styles, and the pure
// value/date formatting behind every printed string. Data and pure functions only: no I/O, no pdfkit.

export const PRINT_COLOR = {
  ink: "#111827",
  muted: "#6b7280",
  white: "#ffffff",
  band: "#1f2a37",
  bandText: "#cbd5e1",
  rule: "#d1d5db",
  zebra: "#f3f4f6",
  tableHead: "#e5e7eb",
  diet: "#047857",
  changeBg: "#fff7d6",
  changeBar: "#d97706",
  changeRule: "#efd48a",
  changeTitle: "#92400e",
  stamp: "#b91c1c",
};

export const STATUS_COLOR: Record<string, string> = {
  draft: "#6b7280",
  pending_approval: "#d97706",
  approved: "#15803d",
  cancelled: "#b91c1c",
};

export type PrintStyle = readonly [weight: "regular" | "bold", size: number, color?: string];

const { muted } = PRINT_COLOR;
export const TYPE = {
  label: ["bold", 7.5, muted],
  value: ["bold", 11.5],
  valueMissing: ["bold", 11.5, muted],
  body: ["regular", 10.5],
  none: ["regular", 10, muted],
  footer: ["regular", 8, muted],
  sub: ["regular", 8.5, muted],
  // Columns of a "changes since approval" row: field, was (struck through), now, who · when.
  changeRow: [
    ["bold", 9.5],
    ["regular", 9.5, muted],
    ["bold", 9.5],
    ["regular", 8.5],
  ],
} as const satisfies Record<string, PrintStyle | readonly PrintStyle[]>;

const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = "January February March April May June July August September October November December".split(" ");

const EMPTY = "—";

/** "2027-03-14" → "Saturday, 14 March 2027" (calendar date, no time-zone shift). */
export function formatEventDate(date: string, style: "long" | "short" = "long"): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return date;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const weekday = WEEKDAYS[new Date(Date.UTC(year, month - 1, day)).getUTCDay()];
  const monthName = MONTHS[month - 1];
  if (!weekday || !monthName) return date;
  return style === "long"
    ? `${weekday}, ${day} ${monthName} ${year}`
    : `${weekday.slice(0, 3)} ${day} ${monthName.slice(0, 3)} ${year}`;
}

export function formatTimeRange(time: string, endTime?: string): string {
  return endTime ? `${time} – ${endTime}` : time;
}

/** ISO timestamp → "12 Mar 2027, 16:40" ("12 Mar, 16:40" without the year); unparseable input is printed as given. */
export function formatTimestamp(value: string | Date, timeZone?: string, withYear = true): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  const options: Intl.DateTimeFormatOptions = {
    day: "numeric",
    month: "short",
    year: withYear ? "numeric" : undefined,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  };
  try {
    return new Intl.DateTimeFormat("en-GB", { ...options, timeZone }).format(date);
  } catch {
    // An unknown time zone must not break printing; fall back to the server's zone.
    return new Intl.DateTimeFormat("en-GB", options).format(date);
  }
}

export function formatCount(value: number | undefined): string {
  return value === undefined ? EMPTY : value.toLocaleString("en-US");
}

const STATUS_LABELS: Record<BEODocument["status"], string> = {
  draft: "DRAFT",
  pending_approval: "PENDING APPROVAL",
  approved: "APPROVED",
  cancelled: "CANCELLED",
};

export function statusLabel(status: string): string {
  return STATUS_LABELS[status as BEODocument["status"]] ?? status.replace(/_/g, " ").toUpperCase();
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const FIELD_LABELS: Record<string, string> = {
  status: "Status",
  "header.eventName": "Event name",
  "header.clientName": "Client",
  "header.salesRepName": "Sales rep",
  "event.date": "Date",
  "event.time": "Start time",
  "event.endTime": "End time",
  "event.room": "Room",
  "event.expected": "Expected count",
  "event.guaranteed": "Guaranteed count",
  "event.set": "Set count",
  "menu.items": "Menu",
  "menu.specialInstructions": "Special instructions",
  "setup.layout": "Layout",
  "setup.specialRequests": "Setup requests",
};

/** "event.guaranteed" → "Guaranteed count"; others humanised ("menu.items[2].quantity" → "Menu item 3 quantity"). */
export function fieldLabel(field: string): string {
  const known = FIELD_LABELS[field];
  if (known) return known;
  const humanised = field
    .replace(/^menu\.items\[(\d+)\]/, (_, i: string) => `menu item ${Number(i) + 1}`)
    .replace(/^(header|event|setup|menu)\./, "")
    .replace(/[._]/g, " ")
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .trim();
  return capitalize(humanised || field);
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;
}

function formatMenuItem(item: unknown): string {
  if (!item || typeof item !== "object") return formatValue("", item);
  const { name, quantity } = item as { name?: unknown; quantity?: unknown };
  return typeof quantity === "number" ? `${quantity} × ${String(name)}` : String(name ?? "?");
}

/** A revision value printed for people: empty → "—", dates written out, menus listed, long text cut. */
export function formatValue(field: string, value: unknown): string {
  if (value === null || value === undefined || value === "") return EMPTY;
  if (field === "status" && typeof value === "string") return statusLabel(value);
  if (typeof value === "string") {
    const text = /^\d{4}-\d{2}-\d{2}$/.test(value) ? formatEventDate(value, "short") : value;
    return truncate(text.replace(/\s+/g, " "), 160);
  }
  if (typeof value === "number") return value.toLocaleString("en-US");
  if (typeof value === "boolean") return value ? "Yes" : "No";
  if (Array.isArray(value)) {
    if (value.length === 0) return "(none)";
    const listed = field.startsWith("menu.items") ? value.map(formatMenuItem) : value.map((v) => formatValue("", v));
    return truncate(listed.join(", "), 160);
  }
  try {
    return truncate(JSON.stringify(value), 160);
  } catch {
    return String(value);
  }
}

/** `share` is the cell's part of the page width. */
export type DetailCell = { name: string; value?: string; sub?: string; share: number };

/** The block under the event name: [date, time, room], [client, sales rep, contract, approved]. */
export function formatEventDetails(
  beo: BEODocument,
  extra: { contractStatus?: string; approvedBy?: string; approvedAt?: string; timeZone?: string },
): DetailCell[][] {
  const approvedAt = extra.approvedAt ? formatTimestamp(extra.approvedAt, extra.timeZone) : undefined;
  const contract = extra.contractStatus && capitalize(extra.contractStatus.replace(/_/g, " "));
  const { event, header } = beo;
  return [
    [
      { name: "Date", value: formatEventDate(event.date), share: 0.36 },
      { name: "Time", value: formatTimeRange(event.time, event.endTime), share: 0.25 },
      { name: "Room", value: event.room, share: 0.39 },
    ],
    [
      { name: "Client", value: header.clientName, share: 0.36 },
      { name: "Sales rep", value: header.salesRepName, share: 0.25 },
      { name: "Contract", value: contract, share: 0.14 },
      { name: "Approved", value: extra.approvedBy ?? approvedAt, sub: extra.approvedBy && approvedAt, share: 0.25 },
    ],
  ];
}

/** One printed row of "changes since approval": field, was, now, "who · when" (year left out when it's this year's). */
export function formatChangeRow(
  change: { field: string; old: unknown; new: unknown; who: string; at: string },
  now: Date,
  timeZone?: string,
): [field: string, was: string, now: string, by: string] {
  const thisYear = new Date(change.at).getUTCFullYear() === now.getUTCFullYear();
  const when = formatTimestamp(change.at, timeZone, !thisYear);
  return [
    fieldLabel(change.field),
    formatValue(change.field, change.old),
    formatValue(change.field, change.new),
    `${change.who} · ${when}`,
  ];
}

export const DIETARY_LEGEND: readonly (readonly [code: string, meaning: string])[] = [
  ["V", "Vegetarian"],
  ["VG", "Vegan"],
  ["GF", "Gluten-free"],
  ["DF", "Dairy-free"],
  ["NF", "Nut-free"],
  ["H", "Halal"],
  ["K", "Kosher"],
];

export function dietaryLegend(): string {
  return DIETARY_LEGEND.map(([code, meaning]) => `[${code}] ${meaning}`).join("  ");
}

const DIETARY_ALIASES: Record<string, string> = {
  v: "V",
  veg: "V",
  vegetarian: "V",
  vg: "VG",
  vegan: "VG",
  gf: "GF",
  glutenfree: "GF",
  nogluten: "GF",
  df: "DF",
  dairyfree: "DF",
  nodairy: "DF",
  lactosefree: "DF",
  nf: "NF",
  nutfree: "NF",
  nonuts: "NF",
  h: "H",
  halal: "H",
  k: "K",
  kosher: "K",
};

/** "gluten-free" / "GF" → "[GF]"; marks we don't know are printed as given. */
export function dietaryMark(mark: string): string {
  const code = DIETARY_ALIASES[mark.toLowerCase().replace(/[^a-z]/g, "")];
  return `[${code ?? mark.trim()}]`;
}

// WinAnsi (the encoding of the built-in PDF fonts) = Latin-1 printable + these extras.
const WIN_ANSI_EXTRAS = new Set("€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ");

function isWinAnsiChar(char: string): boolean {
  const code = char.codePointAt(0) ?? 0;
  const latin1 = (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff);
  return latin1 || code === 0x0a || code === 0x09 || WIN_ANSI_EXTRAS.has(char);
}

export function isWinAnsi(text: string): boolean {
  for (const char of text) if (!isWinAnsiChar(char)) return false;
  return true;
}

const UNDECOMPOSABLE: Record<string, string> = { Ł: "L", ł: "l", Đ: "D", đ: "d", ı: "i", "→": "->" };

/** Best effort for Helvetica: drop accents the font can't draw ("Łódź" → "Lodz"), "?" for the rest. */
export function toWinAnsi(text: string): string {
  let out = "";
  for (const char of text) {
    if (isWinAnsiChar(char)) {
      out += char;
      continue;
    }
    const base = char.normalize("NFKD").replace(/\p{M}/gu, "");
    out += isWinAnsi(base) && base !== "" ? base : (UNDECOMPOSABLE[char] ?? "?");
  }
  return out;
}
