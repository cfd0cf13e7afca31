import type { SyncConfiguration } from "@maestro/shared/integration.schema";
import { apiRequest } from "../../../lib/api-client";
import type { MaskedConfiguration } from "./get-integration-config";

export type ConfigurationPatch = Partial<Omit<SyncConfiguration, "organizationId">> & { enabled?: boolean };

// Omitted secrets keep their stored values.
export function updateIntegrationConfig(patch: ConfigurationPatch): Promise<MaskedConfiguration> {
  return apiRequest("/api/echo-integration/config", { method: "PATCH", body: patch });
}
