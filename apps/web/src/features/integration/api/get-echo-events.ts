import { calendarEventSchema } from "@maestro/shared/maestro.schema";
import { z } from "zod";
import { apiRequest } from "../../../lib/api-client";

// Maestro keeps only the mapped fields of an Echo event, so the browser lists
// them as calendar events plus their sync link (server extension of §4).
const echoEventSummarySchema = calendarEventSchema.extend({
  calendarEventId: z.string().optional(),
  echoVersion: z.number().optional(),
  deletedInEcho: z.boolean().optional(),
  lastSyncedAt: z.string().nullable().optional(),
});
export type EchoEventSummary = z.infer<typeof echoEventSummarySchema>;

const echoEventListSchema = z.object({
  data: z.array(echoEventSummarySchema),
  nextCursor: z.string().nullable().optional(),
});

export async function getEchoEvents(q: string, signal?: AbortSignal): Promise<EchoEventSummary[]> {
  const page = await apiRequest("/api/echo-integration/echo-events", {
    query: { q },
    schema: echoEventListSchema,
    signal,
  });
  return page.data;
}
