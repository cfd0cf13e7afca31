import { beoDocumentSchema, type BEODocument } from "@maestro/shared/maestro.schema";
import { apiRequest } from "../../../lib/api-client";
import { useApiQuery } from "../../../lib/use-api-query";

export function getBeo(id: string, signal?: AbortSignal): Promise<BEODocument> {
  return apiRequest(`/api/beos/${encodeURIComponent(id)}`, { schema: beoDocumentSchema, signal });
}

// Refetches when this BEO changes anywhere (another user, or Echo via the sync).
export function useBeo(id: string) {
  return useApiQuery(`beo:${id}`, (signal) => getBeo(id, signal), {
    live: ["beo.changed", "conflict.changed"],
    liveFilter: (data) => data.id === undefined || data.id === id || data.beoId === id,
    debounceMs: 100,
  });
}
