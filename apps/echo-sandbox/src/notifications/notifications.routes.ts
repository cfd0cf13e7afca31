import type { FastifyPluginAsync } from "fastify";
import { z } from "zod";
import { parseInput } from "../http/http-error.ts";
import { skewIso } from "../sandbox/clock-skew.ts";
import type { FaultState } from "../sandbox/fault-state.ts";
import type { NotificationRepository } from "./notification.repository.ts";

const querySchema = z.strictObject({
  eventId: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

// What the sales team was told, newest first (mounted under /v1).
export function notificationsRoutes(deps: {
  notifications: NotificationRepository;
  faults: FaultState;
}): FastifyPluginAsync {
  return async (app) => {
    app.get("/notifications", async (request) => {
      const query = parseInput(querySchema, request.query, "query");
      const skew = deps.faults.skewMs();
      const data = deps.notifications.list(
        query.eventId ? { eventId: query.eventId, limit: query.limit } : { limit: query.limit },
      );
      return { data: data.map((n) => ({ ...n, createdAt: skewIso(n.createdAt, skew) })) };
    });
  };
}
