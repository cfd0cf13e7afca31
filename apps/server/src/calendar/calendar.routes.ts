import type { FastifyInstance } from "fastify";
import {
  calendarEventCreateSchema,
  calendarEventPatchSchema,
  calendarQuerySchema,
  roles,
} from "@maestro/shared/maestro.schema";
import { z } from "zod";
import { requireAuth } from "../auth/auth-context.ts";
import { parseInput } from "../http/validate.ts";
import type { CalendarService } from "./calendar.service.ts";

const idParams = z.strictObject({ id: z.string().min(1).max(64) });

export function registerCalendarRoutes(app: FastifyInstance, calendar: CalendarService): void {
  app.get("/api/calendar/events", { config: { roles } }, async (request) => {
    const ctx = requireAuth(request.auth);
    const query = parseInput(calendarQuerySchema, request.query, "query");
    return { data: await calendar.list(ctx.orgId, query) };
  });

  app.get("/api/calendar/events/:id", { config: { roles } }, async (request) => {
    const ctx = requireAuth(request.auth);
    const { id } = parseInput(idParams, request.params, "params");
    return calendar.get(ctx.orgId, id);
  });

  app.post("/api/calendar/events", { config: { roles: ["admin", "ops", "sales"] } }, async (request, reply) => {
    const ctx = requireAuth(request.auth);
    const body = parseInput(calendarEventCreateSchema, request.body);
    return reply.status(201).send(await calendar.create(ctx, body));
  });

  app.patch("/api/calendar/events/:id", { config: { roles: ["admin", "ops", "sales"] } }, async (request) => {
    const ctx = requireAuth(request.auth);
    const { id } = parseInput(idParams, request.params, "params");
    const body = parseInput(calendarEventPatchSchema, request.body);
    return calendar.update(ctx, id, body);
  });
}
