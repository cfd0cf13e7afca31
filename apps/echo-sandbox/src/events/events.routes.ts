import {
  echoEventCreateSchema,
  echoEventListQuerySchema,
  echoEventPatchSchema,
  type EchoCRMEvent,
} from "@maestro/shared/echo-event.schema";
import type { FastifyPluginAsync, FastifyReply } from "fastify";
import { z } from "zod";
import { parseInput } from "../http/http-error.ts";
import { parseIfMatch } from "../http/if-match.ts";
import { presentEvent } from "../sandbox/clock-skew.ts";
import type { FaultState } from "../sandbox/fault-state.ts";
import type { EventService } from "./event.service.ts";

const idParams = z.strictObject({ id: z.string().min(1).max(64) });
const noBody = z.strictObject({}).optional();

// CONTRACT §5 events routes (mounted under /v1). Thin: validate, call the service, present.
export function eventsRoutes(deps: { events: EventService; faults: FaultState }): FastifyPluginAsync {
  const { events, faults } = deps;
  const send = (reply: FastifyReply, event: EchoCRMEvent, status = 200) =>
    reply.code(status).header("etag", `"${event.version}"`).send(presentEvent(event, faults.skewMs()));

  return async (app) => {
    app.get("/events", async (request) => {
      const query = parseInput(echoEventListQuerySchema, request.query, "query");
      // Clients send updatedSince in the (possibly skewed) time they were shown.
      const updatedSinceMs = query.updatedSince ? Date.parse(query.updatedSince) - faults.skewMs() : undefined;
      const page = events.list({
        limit: query.limit,
        includeDeleted: query.includeDeleted !== "false",
        ...(query.cursor ? { cursor: query.cursor } : {}),
        ...(updatedSinceMs !== undefined ? { updatedSinceMs } : {}),
      });
      return { data: page.data.map((e) => presentEvent(e, faults.skewMs())), nextCursor: page.nextCursor };
    });

    app.get("/events/:id", async (request, reply) => {
      const { id } = parseInput(idParams, request.params, "path");
      return send(reply, events.get(id));
    });

    app.post("/events", async (request, reply) => {
      const input = parseInput(echoEventCreateSchema, request.body);
      return send(reply, events.create(input), 201);
    });

    app.patch("/events/:id", async (request, reply) => {
      const { id } = parseInput(idParams, request.params, "path");
      const expectedVersion = parseIfMatch(request.headers["if-match"]);
      const patch = parseInput(echoEventPatchSchema, request.body);
      return send(reply, events.update(id, patch, expectedVersion));
    });

    app.delete("/events/:id", async (request, reply) => {
      const { id } = parseInput(idParams, request.params, "path");
      const expectedVersion = parseIfMatch(request.headers["if-match"]);
      return send(reply, events.remove(id, expectedVersion));
    });

    app.post("/events/:id/contract/sign", async (request, reply) => {
      const { id } = parseInput(idParams, request.params, "path");
      parseInput(noBody, request.body);
      const expectedVersion = parseIfMatch(request.headers["if-match"]);
      return send(reply, events.signContract(id, expectedVersion));
    });
  };
}
