import type { FastifyInstance, FastifyRequest } from "fastify";
import { beoCreateSchema, beoListQuerySchema, beoPatchSchema, roles, type Role } from "@maestro/shared/maestro.schema";
import { z } from "zod";
import { requireAuth } from "../auth/auth-context.ts";
import { forbidden, invalidInput } from "../http/errors.ts";
import { parseInput } from "../http/validate.ts";
import type { BeoService } from "./beo.service.ts";
import type { BeoPdfService } from "./beo-pdf.service.ts";

const idParams = z.strictObject({ id: z.string().min(1).max(64) });
const EDITORS = ["admin", "ops", "chef"] as const;
// Cancelling is final: only these roles may, by the cancel route or by a change of status.
const CANCELLERS: readonly Role[] = ["admin", "ops"];

// `If-Match: 3`, `"3"` or `W/"3"`; absent means "no precondition".
export function parseIfMatch(request: FastifyRequest): number | undefined {
  const raw = request.headers["if-match"];
  if (raw === undefined) return undefined;
  const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(String(raw).trim());
  if (!match) throw invalidInput("If-Match must be a BEO version number");
  return Number(match[1]);
}

export function registerBeoRoutes(app: FastifyInstance, beos: BeoService, pdf: BeoPdfService): void {
  app.post("/api/beos", { config: { roles: ["admin", "ops"] } }, async (request, reply) => {
    const ctx = requireAuth(request.auth);
    const body = parseInput(beoCreateSchema, request.body);
    const created =
      "calendarEventId" in body
        ? await beos.createFromCalendarEvent(ctx, body.calendarEventId, "user")
        : await beos.createFromDocument(ctx, body);
    return reply.status(201).header("etag", `"${created.version}"`).send(created);
  });

  app.get("/api/beos", { config: { roles } }, async (request) => {
    const ctx = requireAuth(request.auth);
    const query = parseInput(beoListQuerySchema, request.query, "query");
    return beos.list(ctx.orgId, query);
  });

  app.get("/api/beos/:id", { config: { roles } }, async (request, reply) => {
    const ctx = requireAuth(request.auth);
    const { id } = parseInput(idParams, request.params, "params");
    const beo = await beos.get(ctx.orgId, id);
    return reply.header("etag", `"${beo.version}"`).send(beo);
  });

  app.patch("/api/beos/:id", { config: { roles: EDITORS } }, async (request, reply) => {
    const ctx = requireAuth(request.auth);
    const { id } = parseInput(idParams, request.params, "params");
    const patch = parseInput(beoPatchSchema, request.body);
    if (patch.status === "cancelled" && !CANCELLERS.includes(ctx.role))
      throw forbidden("only admin and ops may cancel a BEO");
    const ifMatch = parseIfMatch(request);
    const beo = await beos.patch(ctx, id, patch, ifMatch === undefined ? {} : { ifMatch });
    return reply.header("etag", `"${beo.version}"`).send(beo);
  });

  app.post("/api/beos/:id/approve", { config: { roles: ["admin", "chef"] } }, async (request, reply) => {
    const ctx = requireAuth(request.auth);
    const { id } = parseInput(idParams, request.params, "params");
    const beo = await beos.approve(ctx, id, parseIfMatch(request));
    return reply.header("etag", `"${beo.version}"`).send(beo);
  });

  app.post("/api/beos/:id/cancel", { config: { roles: CANCELLERS } }, async (request) => {
    const ctx = requireAuth(request.auth);
    const { id } = parseInput(idParams, request.params, "params");
    return beos.cancel(ctx, id, "user", parseIfMatch(request));
  });

  app.get("/api/beos/:id/revisions", { config: { roles } }, async (request) => {
    const ctx = requireAuth(request.auth);
    const { id } = parseInput(idParams, request.params, "params");
    return { data: await beos.revisions(ctx.orgId, id) };
  });

  app.get("/api/beos/:id/pdf", { config: { roles } }, async (request, reply) => {
    const ctx = requireAuth(request.auth);
    const { id } = parseInput(idParams, request.params, "params");
    const { fileName, pdf: bytes } = await pdf.render(ctx.orgId, id);
    return reply
      .header("content-type", "application/pdf")
      .header("content-disposition", `inline; filename="${fileName}"`)
      .send(bytes);
  });
}
