import type { FastifyInstance } from "fastify";
import { roles, roomCreateSchema } from "@maestro/shared/maestro.schema";
import { requireAuth } from "../auth/auth-context.ts";
import { conflict } from "../http/errors.ts";
import { parseInput } from "../http/validate.ts";
import type { RoomRepository } from "./room.repository.ts";

export function registerRoomRoutes(app: FastifyInstance, rooms: RoomRepository): void {
  app.get("/api/rooms", { config: { roles } }, async (request) => {
    const ctx = requireAuth(request.auth);
    return { data: await rooms.list(ctx.orgId) };
  });

  app.post("/api/rooms", { config: { roles: ["admin", "ops"] } }, async (request, reply) => {
    const ctx = requireAuth(request.auth);
    const body = parseInput(roomCreateSchema, request.body);
    // No check-then-insert: the insert itself finds an existing name, including
    // one a concurrent request inserted a moment earlier.
    const room = await rooms.create(ctx.orgId, body);
    if (!room) throw conflict(`a room named "${body.name}" exists`);
    return reply.status(201).send(room);
  });
}
