import { beoDocumentSchema, type BEODocument } from "@maestro/shared/maestro.schema";
import { apiRequest } from "../../../lib/api-client";

// Idempotent on the server: returns the existing BEO when there is one.
export function createBeoFromEchoEvent(echoEventId: string): Promise<BEODocument> {
  return apiRequest(`/api/echo-integration/echo-events/${encodeURIComponent(echoEventId)}/beo`, {
    method: "POST",
    body: {},
    schema: beoDocumentSchema,
  });
}
