import type { DataConflict } from "@maestro/shared/integration.schema";
import { apiRequest } from "../../../lib/api-client";

export type ConflictResolution = "echo" | "maestro" | "custom";

export function resolveConflictRequest(
  conflictId: string,
  resolution: ConflictResolution,
  values?: Record<string, unknown>,
): Promise<DataConflict | unknown> {
  return apiRequest(`/api/echo-integration/conflicts/${encodeURIComponent(conflictId)}/resolve`, {
    method: "POST",
    body: values ? { resolution, values } : { resolution },
  });
}
