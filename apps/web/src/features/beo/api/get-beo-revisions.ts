import { beoRevisionSchema, type BeoRevision } from "@maestro/shared/maestro.schema";
import { z } from "zod";
import { apiRequest } from "../../../lib/api-client";
import { useApiQuery } from "../../../lib/use-api-query";

const revisionListSchema = z.object({ data: z.array(beoRevisionSchema) });

export async function getBeoRevisions(id: string, signal?: AbortSignal): Promise<BeoRevision[]> {
  const page = await apiRequest(`/api/beos/${encodeURIComponent(id)}/revisions`, {
    schema: revisionListSchema,
    signal,
  });
  return page.data;
}

// `version` in the key refetches the log whenever the document moves on.
export function useBeoRevisions(id: string, version: number | undefined) {
  return useApiQuery(
    version === undefined ? null : `beo-revisions:${id}:${version}`,
    (signal) => getBeoRevisions(id, signal),
    { keepPrevious: true },
  );
}
