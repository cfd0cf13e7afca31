import type { FastifyInstance } from "fastify";
import { roles } from "@maestro/shared/maestro.schema";
import { requireAuth } from "../auth/auth-context.ts";
import type { LiveBus } from "./live-bus.ts";

const HEARTBEAT_MS = 15_000;

// Server-Sent Events: the organization's live changes, so open pages update without reload.
export function registerStreamRoutes(app: FastifyInstance, live: LiveBus): void {
  app.get("/api/stream", { config: { roles } }, (request, reply) => {
    const ctx = requireAuth(request.auth);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    res.write("retry: 2000\n\n");
    const unsubscribe = live.subscribe((event) => {
      if (event.orgId !== ctx.orgId) return;
      res.write(`event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`);
    });
    const heartbeat = setInterval(() => res.write(": ping\n\n"), HEARTBEAT_MS);
    const close = () => {
      clearInterval(heartbeat);
      unsubscribe();
    };
    request.raw.on("close", close);
    res.on("error", close);
  });
}
