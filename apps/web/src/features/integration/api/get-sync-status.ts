import { syncStatusSchema, type SyncStatus } from "@maestro/shared/integration.schema";
import { apiRequest } from "../../../lib/api-client";

export function getSyncStatus(signal?: AbortSignal): Promise<SyncStatus> {
  return apiRequest("/api/echo-integration/status", { schema: syncStatusSchema, signal });
}
