import type { SyncConfiguration } from "@maestro/shared/integration.schema";
import { ApiError, apiRequest } from "../../../lib/api-client";

// Secrets come back masked (e.g. "••••ab12"), never in clear.
export type MaskedConfiguration = Partial<SyncConfiguration> & { enabled?: boolean };

// null when the integration has never been initialized.
export async function getIntegrationConfig(signal?: AbortSignal): Promise<MaskedConfiguration | null> {
  try {
    const body = await apiRequest<
      MaskedConfiguration | { data: MaskedConfiguration } | { config: MaskedConfiguration }
    >("/api/echo-integration/config", { signal });
    if (body && typeof body === "object" && "data" in body) return body.data;
    if (body && typeof body === "object" && "config" in body) return body.config;
    return body as MaskedConfiguration;
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.code === "integration_not_configured")) return null;
    throw error;
  }
}
