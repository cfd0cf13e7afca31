import { echoEventSchema, type EchoCRMEvent } from "@maestro/shared/echo-event.schema";
import { z } from "zod";
import { apiRequest } from "../../../lib/api-client";

const echoEventListSchema = z.object({ data: z.array(echoEventSchema), nextCursor: z.string().nullable().optional() });

export async function getEchoEvents(q: string, signal?: AbortSignal): Promise<EchoCRMEvent[]> {
  const page = await apiRequest("/api/echo-integration/echo-events", {
    query: { q },
    schema: echoEventListSchema,
    signal,
  });
  return page.data;
}
