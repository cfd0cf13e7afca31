// Display helpers. Dates from the API are YYYY-MM-DD (local venue dates) and
// timestamps are ISO strings.

const dateFmt = new Intl.DateTimeFormat(undefined, {
  weekday: "short",
  month: "short",
  day: "numeric",
  year: "numeric",
});
const shortDateFmt = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });
const dateTimeFmt = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const timeOnlyFmt = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
const numberFmt = new Intl.NumberFormat();

export function parseLocalDate(date: string): Date {
  const [y, m, d] = date.split("-").map(Number);
  return new Date(y ?? 1970, (m ?? 1) - 1, d ?? 1);
}

export function toDateString(date: Date): string {
  const y = date.getFullYear();
  const m = String(date.getMonth() + 1).padStart(2, "0");
  const d = String(date.getDate()).padStart(2, "0");
  return `${y}-${m}-${d}`;
}

export function addDays(date: string, days: number): string {
  const d = parseLocalDate(date);
  d.setDate(d.getDate() + days);
  return toDateString(d);
}

export function todayString(): string {
  return toDateString(new Date());
}

export function formatDate(date: string): string {
  return dateFmt.format(parseLocalDate(date));
}

export function formatShortDate(date: string): string {
  return shortDateFmt.format(parseLocalDate(date));
}

export function formatTimestamp(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTimeFmt.format(d);
}

export function formatClock(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : timeOnlyFmt.format(d);
}

export function formatRelative(iso: string | null | undefined): string {
  if (!iso) return "never";
  const diff = new Date(iso).getTime() - Date.now();
  if (Number.isNaN(diff)) return iso;
  const abs = Math.abs(diff);
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
  if (abs < 45_000) return diff < 0 ? "just now" : "in a few seconds";
  if (abs < 3_600_000) return rtf.format(Math.round(diff / 60_000), "minute");
  if (abs < 86_400_000) return rtf.format(Math.round(diff / 3_600_000), "hour");
  return rtf.format(Math.round(diff / 86_400_000), "day");
}

export function formatNumber(n: number | null | undefined): string {
  return n === null || n === undefined ? "—" : numberFmt.format(n);
}

export function formatMoney(amount: number | undefined, currency = "USD"): string {
  if (amount === undefined) return "—";
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency, maximumFractionDigits: 0 }).format(amount);
  } catch {
    return `${numberFmt.format(amount)} ${currency}`;
  }
}

// Renders any JSON-ish value of a change log or conflict compactly.
export function formatValue(value: unknown): string {
  if (value === undefined || value === null || value === "") return "(empty)";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return "(none)";
    if (value.every((v) => v && typeof v === "object" && "name" in v)) {
      return value
        .map((v) => {
          const item = v as { name: string; quantity?: number; dietary?: string[] };
          const qty = item.quantity !== undefined ? ` ×${item.quantity}` : "";
          const diet = item.dietary?.length ? ` (${item.dietary.join(", ")})` : "";
          return `${item.name}${qty}${diet}`;
        })
        .join("; ");
    }
    return value.map(formatValue).join(", ");
  }
  return JSON.stringify(value);
}

export function humanize(code: string): string {
  const s = code.replace(/[_.]/g, " ");
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// "menu.specialInstructions" → "Menu › Special instructions"
export function fieldLabel(path: string): string {
  const known: Record<string, string> = {
    "header.eventName": "Event name",
    "header.clientName": "Client",
    "header.salesRepName": "Sales rep",
    "event.date": "Date",
    "event.time": "Start time",
    "event.endTime": "End time",
    "event.room": "Room",
    "event.expected": "Expected guests",
    "event.guaranteed": "Guaranteed guests",
    "event.set": "Set count",
    "menu.items": "Menu items",
    "menu.specialInstructions": "Special instructions",
    "setup.layout": "Setup layout",
    "setup.specialRequests": "Setup requests",
    status: "Status",
    eventName: "Event name",
    eventDate: "Date",
    eventTime: "Start time",
    room: "Room",
    "guestCount.guaranteed": "Guaranteed guests",
    guestCount: "Guaranteed guests",
    guaranteed: "Guaranteed guests",
    specialRequests: "Special requests",
  };
  if (known[path]) return known[path];
  const last = path.split(".").pop() ?? path;
  return humanize(last.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase());
}

// Like formatValue, but status codes read as words ("pending_approval" → "Pending approval").
export function formatFieldValue(field: string, value: unknown): string {
  if (typeof value === "string" && /(^|\.)(status|beoStatus|contractStatus)$/.test(field)) return humanize(value);
  return formatValue(value);
}
