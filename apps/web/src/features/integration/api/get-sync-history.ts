import { syncOperationSchema, type SyncOperation } from "@maestro/shared/integration.schema";
import { z } from "zod";
import { apiRequest } from "../../../lib/api-client";
import { useApiQuery } from "../../../lib/use-api-query";

const historyPageSchema = z.object({
  data: z.array(syncOperationSchema),
  nextCursor: z.string().nullable().optional(),
});
export type HistoryPage = { data: SyncOperation[]; nextCursor?: string | null };

export type HistoryFilters = {
  status?: SyncOperation["status"] | "";
  echoEventId?: string;
  limit?: number;
  cursor?: string;
};

export function getSyncHistory(filters: HistoryFilters, signal?: AbortSignal): Promise<HistoryPage> {
  return apiRequest("/api/echo-integration/history", {
    query: {
      limit: filters.limit ?? 50,
      status: filters.status,
      echoEventId: filters.echoEventId,
      cursor: filters.cursor,
    },
    schema: historyPageSchema,
    signal,
  });
}

export function useSyncHistory(filters: HistoryFilters) {
  const key = `history:${filters.status ?? ""}:${filters.echoEventId ?? ""}:${filters.limit ?? 50}`;
  return useApiQuery(key, (signal) => getSyncHistory(filters, signal), {
    live: ["sync.status", "conflict.changed", "beo.changed"],
    debounceMs: 800,
    keepPrevious: true,
  });
}
