import { beoDocumentSchema, type BEODocument, type BeoPatch } from "@maestro/shared/maestro.schema";
import { apiRequest } from "../../../lib/api-client";

// With If-Match a stale version answers 412 instead of overwriting someone's change.
export function updateBeo(id: string, patch: BeoPatch, version: number): Promise<BEODocument> {
  return apiRequest(`/api/beos/${encodeURIComponent(id)}`, {
    method: "PATCH",
    body: patch,
    headers: { "if-match": String(version) },
    schema: beoDocumentSchema,
  });
}
