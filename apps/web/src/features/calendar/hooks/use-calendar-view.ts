import { addDays, parseLocalDate, toDateString, todayString } from "../../../lib/format";
import { setSearchParam, useLocation } from "../../../lib/router";

export type CalendarView = "month" | "week" | "day" | "rooms";
export const calendarViews: { id: CalendarView; label: string }[] = [
  { id: "month", label: "Month" },
  { id: "week", label: "Week" },
  { id: "day", label: "Day" },
  { id: "rooms", label: "Rooms" },
];

export const fullCalendarViewNames: Record<Exclude<CalendarView, "rooms">, string> = {
  month: "dayGridMonth",
  week: "timeGridWeek",
  day: "timeGridDay",
};

// Weeks start on Monday, as on most banquet boards.
export function startOfWeek(date: string): string {
  const d = parseLocalDate(date);
  const offset = (d.getDay() + 6) % 7;
  d.setDate(d.getDate() - offset);
  return toDateString(d);
}

// The exact date range a view shows (end exclusive); only this is fetched.
export function visibleRange(view: CalendarView, anchor: string): { from: string; to: string } {
  switch (view) {
    case "month": {
      const first = `${anchor.slice(0, 7)}-01`;
      const from = startOfWeek(first);
      return { from, to: addDays(from, 42) };
    }
    case "week":
    case "rooms": {
      const from = startOfWeek(anchor);
      return { from, to: addDays(from, 7) };
    }
    case "day":
      return { from: anchor, to: addDays(anchor, 1) };
  }
}

export function stepAnchor(view: CalendarView, anchor: string, direction: 1 | -1): string {
  if (view === "month") {
    const d = parseLocalDate(`${anchor.slice(0, 7)}-01`);
    d.setMonth(d.getMonth() + direction);
    return toDateString(d);
  }
  return addDays(anchor, direction * (view === "day" ? 1 : 7));
}

const monthTitle = new Intl.DateTimeFormat(undefined, { month: "long", year: "numeric" });
const dayTitle = new Intl.DateTimeFormat(undefined, {
  weekday: "long",
  month: "long",
  day: "numeric",
  year: "numeric",
});
const shortTitle = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });

export function rangeTitle(view: CalendarView, anchor: string): string {
  if (view === "month") return monthTitle.format(parseLocalDate(anchor));
  if (view === "day") return dayTitle.format(parseLocalDate(anchor));
  const { from, to } = visibleRange(view, anchor);
  const last = parseLocalDate(addDays(to, -1));
  return `${shortTitle.format(parseLocalDate(from))} – ${shortTitle.format(last)}, ${last.getFullYear()}`;
}

const isView = (v: string | null): v is CalendarView => v === "month" || v === "week" || v === "day" || v === "rooms";

// View and date live in the URL so a reload or a shared link shows the same board.
export function useCalendarView() {
  const { search } = useLocation();
  const viewParam = search.get("view");
  const dateParam = search.get("date");
  const view: CalendarView = isView(viewParam) ? viewParam : "month";
  const anchor = dateParam && /^\d{4}-\d{2}-\d{2}$/.test(dateParam) ? dateParam : todayString();
  return {
    view,
    anchor,
    setView: (next: CalendarView) => setSearchParam("view", next === "month" ? null : next),
    setAnchor: (next: string) => setSearchParam("date", next === todayString() ? null : next),
  };
}
