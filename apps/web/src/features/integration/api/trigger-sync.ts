import { apiRequest } from "../../../lib/api-client";

export type SyncRequest = { direction?: "echo_to_maestro" | "maestro_to_echo" | "bidirectional"; full?: boolean };

export function triggerSync(request: SyncRequest = {}): Promise<{ operationId?: string }> {
  return apiRequest("/api/echo-integration/sync", { method: "POST", body: request });
}
