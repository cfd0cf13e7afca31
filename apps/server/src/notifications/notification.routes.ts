import type { FastifyInstance } from "fastify";
import { roles } from "@maestro/shared/maestro.schema";
import { z } from "zod";
import { requireAuth } from "../auth/auth-context.ts";
import { notFound } from "../http/errors.ts";
import { parseInput } from "../http/validate.ts";
import type { NotificationRepository } from "./notification.repository.ts";

export function registerNotificationRoutes(app: FastifyInstance, notifications: NotificationRepository): void {
  app.get("/api/notifications", { config: { roles } }, async (request) => {
    const ctx = requireAuth(request.auth);
    const rows = await notifications.list(ctx.orgId, ctx.role);
    return {
      // All of the role's unread ones, not only those of the latest listed.
      unread: await notifications.unreadCount(ctx.orgId, ctx.role),
      data: rows.map((r) => ({
        id: r.id,
        kind: r.kind,
        message: r.message,
        createdAt: r.createdAt,
        ...(r.link ? { link: r.link } : {}),
        ...(r.readAt ? { readAt: r.readAt } : {}),
      })),
    };
  });

  app.post("/api/notifications/read-all", { config: { roles } }, async (request) => {
    const ctx = requireAuth(request.auth);
    parseInput(z.strictObject({}), request.body ?? {}, "body");
    return { marked: await notifications.markAllRead(ctx.orgId, ctx.role) };
  });

  app.post("/api/notifications/:id/read", { config: { roles } }, async (request, reply) => {
    const ctx = requireAuth(request.auth);
    const { id } = parseInput(z.strictObject({ id: z.string().max(64) }), request.params, "params");
    if (!(await notifications.markRead(ctx.orgId, id))) throw notFound("notification");
    return reply.status(204).send();
  });
}
