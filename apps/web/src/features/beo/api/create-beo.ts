import { beoDocumentSchema, type BEODocument } from "@maestro/shared/maestro.schema";
import { apiRequest } from "../../../lib/api-client";

export function createBeoForCalendarEvent(calendarEventId: string): Promise<BEODocument> {
  return apiRequest("/api/beos", { method: "POST", body: { calendarEventId }, schema: beoDocumentSchema });
}
