import { webhookEndpointCreateSchema } from "@maestro/shared/echo-event.schema";
import type { FastifyPluginAsync } from "fastify";
import { z } from "zod";
import { parseInput } from "../http/http-error.ts";
import { skewIso } from "../sandbox/clock-skew.ts";
import type { FaultState } from "../sandbox/fault-state.ts";
import type { WebhookEndpointService } from "./webhook-endpoint.service.ts";

const idParams = z.strictObject({ id: z.string().min(1).max(64) });

// Webhook subscriptions (mounted under /v1).
export function webhookEndpointsRoutes(deps: {
  endpoints: WebhookEndpointService;
  faults: FaultState;
}): FastifyPluginAsync {
  const { endpoints, faults } = deps;
  return async (app) => {
    app.post("/webhook-endpoints", async (request, reply) => {
      const input = parseInput(webhookEndpointCreateSchema, request.body);
      const { endpoint, created } = endpoints.register(input);
      return reply
        .code(created ? 201 : 200)
        .send({ ...endpoint, createdAt: skewIso(endpoint.createdAt, faults.skewMs()) });
    });

    app.get("/webhook-endpoints", async () => {
      return { data: endpoints.list().map((e) => ({ ...e, createdAt: skewIso(e.createdAt, faults.skewMs()) })) };
    });

    app.delete("/webhook-endpoints/:id", async (request, reply) => {
      const { id } = parseInput(idParams, request.params, "path");
      endpoints.remove(id);
      return reply.code(204).send();
    });
  };
}
