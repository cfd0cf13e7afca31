import { beoDocumentSchema, type BEODocument } from "@maestro/shared/maestro.schema";
import { apiRequest } from "../../../lib/api-client";

export function approveBeo(id: string): Promise<BEODocument> {
  return apiRequest(`/api/beos/${encodeURIComponent(id)}/approve`, {
    method: "POST",
    body: {},
    schema: beoDocumentSchema,
  });
}
