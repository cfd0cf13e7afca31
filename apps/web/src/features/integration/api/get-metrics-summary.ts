import { z } from "zod";
import { apiRequest } from "../../../lib/api-client";
import { useApiQuery } from "../../../lib/use-api-query";

// Server extension (not in CONTRACT §4): per-minute buckets for the last hour.
const metricsSummarySchema = z.object({
  throughput: z.array(z.object({ t: z.string(), succeeded: z.number(), failed: z.number() })),
  latency: z.array(z.object({ t: z.string(), p50: z.number(), p99: z.number() })),
});
export type MetricsSummary = z.infer<typeof metricsSummarySchema>;

export function getMetricsSummary(signal?: AbortSignal): Promise<MetricsSummary> {
  return apiRequest("/api/echo-integration/metrics/summary", { schema: metricsSummarySchema, signal });
}

export function useMetricsSummary() {
  return useApiQuery("metrics-summary", getMetricsSummary, {
    live: ["sync.status"],
    debounceMs: 5000,
    keepPrevious: true,
  });
}
