import { syncStatusSchema, type SyncConfiguration, type SyncStatus } from "@maestro/shared/integration.schema";
import { z } from "zod";
import { apiRequest } from "../../../lib/api-client";

const initializeResponseSchema = z.object({ status: syncStatusSchema });

export async function initializeIntegration(config: SyncConfiguration): Promise<SyncStatus> {
  const body = await apiRequest("/api/echo-integration/initialize", {
    method: "POST",
    body: config,
    schema: initializeResponseSchema,
  });
  return body.status;
}
