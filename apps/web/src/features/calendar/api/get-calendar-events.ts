import { calendarEventSchema, type CalendarEvent, type CalendarStatus } from "@maestro/shared/maestro.schema";
import { z } from "zod";
import { apiRequest } from "../../../lib/api-client";
import { useApiQuery } from "../../../lib/use-api-query";

const calendarPageSchema = z.object({ data: z.array(calendarEventSchema) });

export type CalendarQuery = {
  from?: string;
  to?: string;
  q?: string;
  room?: string;
  source?: "echo" | "maestro" | "";
  status?: CalendarStatus | "";
  limit?: number;
};

export async function getCalendarEvents(query: CalendarQuery, signal?: AbortSignal): Promise<CalendarEvent[]> {
  const page = await apiRequest("/api/calendar/events", { query, schema: calendarPageSchema, signal });
  return page.data;
}

// Only the visible date range is fetched, so 5,000 events in the database cost
// no more than the few hundred on screen.
export function useCalendarEvents(query: CalendarQuery, enabled = true) {
  const key = enabled ? `calendar:${JSON.stringify(query)}` : null;
  return useApiQuery(key, (signal) => getCalendarEvents(query, signal), {
    live: ["calendar.changed", "beo.changed"],
    debounceMs: 300,
    keepPrevious: true,
  });
}
