import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

// One registry per app instance, so several instances in one process (tests) never clash.
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "maestro_" });
  return {
    registry,
    httpRequests: new Counter({
      name: "maestro_http_requests_total",
      help: "HTTP requests by route and status",
      labelNames: ["method", "route", "status"] as const,
      registers: [registry],
    }),
    syncOperations: new Counter({
      name: "maestro_sync_operations_total",
      help: "Sync operations by direction and status",
      labelNames: ["direction", "status"] as const,
      registers: [registry],
    }),
    propagationSeconds: new Histogram({
      name: "maestro_sync_propagation_seconds",
      help: "Echo change to applied in Maestro",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    webhooksReceived: new Counter({
      name: "maestro_webhooks_received_total",
      help: "Echo webhooks accepted into the inbox (duplicates counted separately)",
      labelNames: ["outcome"] as const,
      registers: [registry],
    }),
    webhooksRejected: new Counter({
      name: "maestro_webhooks_rejected_total",
      help: "Echo webhooks rejected, by reason",
      labelNames: ["reason"] as const,
      registers: [registry],
    }),
    queueDepth: new Gauge({ name: "maestro_sync_queue_depth", help: "Jobs waiting", registers: [registry] }),
    openConflicts: new Gauge({ name: "maestro_sync_open_conflicts", help: "Open conflicts", registers: [registry] }),
    echoApiSeconds: new Histogram({
      name: "maestro_echo_api_request_seconds",
      help: "Echo API request latency",
      labelNames: ["method", "outcome"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    echoApiErrors: new Counter({
      name: "maestro_echo_api_errors_total",
      help: "Echo API errors by kind",
      labelNames: ["kind"] as const,
      registers: [registry],
    }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
