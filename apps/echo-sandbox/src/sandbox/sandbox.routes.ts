import { sandboxFaultsSchema, sandboxSeedSchema } from "@maestro/shared/echo-event.schema";
import type { FastifyPluginAsync } from "fastify";
import { z } from "zod";
import { parseInput } from "../http/http-error.ts";
import type { WebhookDeliveryRepository } from "../webhooks/webhook-delivery.repository.ts";
import type { FaultState } from "./fault-state.ts";
import type { SandboxAdminService } from "./sandbox-admin.service.ts";

const resetSchema = z.strictObject({ keepWebhookEndpoints: z.boolean().default(false) });
const deliveriesQuery = z.strictObject({
  eventId: z.string().min(1).max(64).optional(),
  cursor: z
    .string()
    .regex(/^\d{1,15}$/)
    .optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});

// Sandbox controls (mounted under /_sandbox). Not affected by injected faults.
export function sandboxRoutes(deps: {
  admin: SandboxAdminService;
  faults: FaultState;
  deliveries: WebhookDeliveryRepository;
}): FastifyPluginAsync {
  const { admin, faults, deliveries } = deps;
  return async (app) => {
    app.get("/faults", async () => faults.get());

    app.post("/faults", async (request) => {
      faults.set(parseInput(sandboxFaultsSchema, request.body ?? {}));
      request.log.info({ faults: faults.get() }, "sandbox faults changed");
      return faults.get();
    });

    app.post("/reset", async (request) => {
      const input = parseInput(resetSchema, request.body ?? {});
      admin.reset(input);
      return { reset: true };
    });

    app.post("/seed", async (request, reply) => {
      const input = parseInput(sandboxSeedSchema, request.body ?? {});
      const ids = admin.seed(input.count, input.seed);
      return reply.code(201).send({ created: ids.length, ids });
    });

    // Deliveries the receivers acknowledged (2xx), oldest first, duplicates included.
    app.get("/deliveries", async (request) => {
      const query = parseInput(deliveriesQuery, request.query, "query");
      const rows = deliveries.acknowledged({
        afterSeq: query.cursor ? Number(query.cursor) : 0,
        limit: query.limit + 1,
        ...(query.eventId ? { eventId: query.eventId } : {}),
      });
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      return {
        data: page.map((r) => r.entry),
        nextCursor: rows.length > query.limit && last ? String(last.seq) : null,
      };
    });

    // Queue state by delivery status (pending, succeeded, dropped, failed, cancelled).
    app.get("/queue", async () => deliveries.counts());
  };
}
