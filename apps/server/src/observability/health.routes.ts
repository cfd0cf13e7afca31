import type { FastifyInstance } from "fastify";
import { pingDatabase, type DatabaseHandle } from "../db/database.ts";
import type { Metrics } from "./metrics.ts";

export type ReadinessProbe = () => Promise<{ echoCrm: string; ready: boolean }>;

export function registerHealthRoutes(
  app: FastifyInstance,
  deps: { database: DatabaseHandle; metrics: Metrics; echoReadiness?: () => Promise<Record<string, unknown>> },
): void {
  app.get("/healthz", { config: { roles: "public" } }, async () => ({ status: "ok" }));

  app.get("/readyz", { config: { roles: "public" } }, async (_request, reply) => {
    let database = "ok";
    try {
      await pingDatabase(deps.database);
    } catch {
      database = "down";
    }
    const echo = deps.echoReadiness ? await deps.echoReadiness() : { echoCrm: "not_configured" };
    const ready = database === "ok";
    return reply.status(ready ? 200 : 503).send({ status: ready ? "ready" : "not_ready", database, ...echo });
  });

  app.get("/metrics", { config: { roles: "public" } }, async (_request, reply) => {
    return reply.header("content-type", deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
}
