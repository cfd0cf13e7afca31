import { dataConflictSchema, type DataConflict } from "@maestro/shared/integration.schema";
import { z } from "zod";
import { apiRequest } from "../../../lib/api-client";

const conflictListSchema = z.object({ data: z.array(dataConflictSchema) });

export async function getConflicts(status: "open" | "resolved", signal?: AbortSignal): Promise<DataConflict[]> {
  const page = await apiRequest("/api/echo-integration/conflicts", {
    query: { status },
    schema: conflictListSchema,
    signal,
  });
  return page.data;
}
