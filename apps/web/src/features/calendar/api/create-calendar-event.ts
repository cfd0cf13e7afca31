import { calendarEventSchema, type CalendarEvent, type CalendarEventCreate } from "@maestro/shared/maestro.schema";
import { apiRequest } from "../../../lib/api-client";

export function createCalendarEvent(input: CalendarEventCreate): Promise<CalendarEvent> {
  return apiRequest("/api/calendar/events", { method: "POST", body: input, schema: calendarEventSchema });
}
