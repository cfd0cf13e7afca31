import type { FastifyInstance } from "fastify";
import {
  conflictResolveSchema,
  historyQuerySchema,
  manualSyncSchema,
  maestroWebhookSendSchema,
  syncConfigurationPatchSchema,
  syncConfigurationSchema,
} from "@maestro/shared/integration.schema";
import { roles } from "@maestro/shared/maestro.schema";
import { z } from "zod";
import { requireAuth } from "../auth/auth-context.ts";
import { parseInput } from "../http/validate.ts";
import type { IntegrationModule } from "./integration.module.ts";

const P = "/api/echo-integration";
const idParams = z.strictObject({ id: z.string().min(1).max(64) });
const MANAGERS = ["admin", "ops"] as const;

export function registerIntegrationRoutes(app: FastifyInstance, m: IntegrationModule): void {
  app.post(`${P}/initialize`, { config: { roles: ["admin"] } }, async (request) => {
    const ctx = requireAuth(request.auth);
    return m.service.initialize(ctx, parseInput(syncConfigurationSchema, request.body));
  });

  app.get(`${P}/config`, { config: { roles: MANAGERS } }, async (request) => {
    return m.service.getConfig(requireAuth(request.auth).orgId);
  });

  app.patch(`${P}/config`, { config: { roles: ["admin"] } }, async (request) => {
    const ctx = requireAuth(request.auth);
    return m.service.patchConfig(ctx, parseInput(syncConfigurationPatchSchema, request.body));
  });

  app.get(`${P}/status`, { config: { roles } }, async (request) => m.service.status(requireAuth(request.auth).orgId));

  app.post(`${P}/sync`, { config: { roles: MANAGERS } }, async (request, reply) => {
    const ctx = requireAuth(request.auth);
    const body = parseInput(manualSyncSchema, request.body ?? {});
    await m.requireIntegration(ctx.orgId);
    const operationId = await m.service.enqueueSync(ctx.orgId, {
      full: body.full ?? false,
      trigger: "manual",
      ...(body.direction ? { direction: body.direction } : {}),
    });
    return reply.status(202).send({ operationId });
  });

  app.get(`${P}/history`, { config: { roles } }, async (request) => {
    const ctx = requireAuth(request.auth);
    return m.ops.list(ctx.orgId, parseInput(historyQuerySchema, request.query, "query"));
  });

  app.get(`${P}/conflicts`, { config: { roles } }, async (request) => {
    const ctx = requireAuth(request.auth);
    const { status } = parseInput(
      z.strictObject({ status: z.enum(["open", "resolved"]).optional() }),
      request.query,
      "query",
    );
    return { data: await m.conflicts.list(ctx.orgId, status) };
  });

  app.post(`${P}/conflicts/:id/resolve`, { config: { roles: MANAGERS } }, async (request) => {
    const ctx = requireAuth(request.auth);
    const { id } = parseInput(idParams, request.params, "params");
    const body = parseInput(conflictResolveSchema, request.body);
    const resolved = await m.resolution.resolve(ctx, id, body.resolution, body.values);
    m.nudge();
    return resolved;
  });

  app.get(`${P}/echo-events`, { config: { roles } }, async (request) => {
    const ctx = requireAuth(request.auth);
    const { q } = parseInput(z.strictObject({ q: z.string().max(200).optional() }), request.query, "query");
    return { data: await m.echoEvents.list(ctx.orgId, q) };
  });

  app.post(`${P}/echo-events/:echoEventId/beo`, { config: { roles: MANAGERS } }, async (request, reply) => {
    const ctx = requireAuth(request.auth);
    const { echoEventId } = parseInput(
      z.strictObject({ echoEventId: z.string().min(1).max(64) }),
      request.params,
      "params",
    );
    const { beo, created } = await m.echoEvents.createBeo(ctx, echoEventId);
    m.nudge();
    return reply.status(created ? 201 : 200).send(beo);
  });

  app.post(`${P}/webhooks/maestro`, { config: { roles: MANAGERS } }, async (request, reply) => {
    const ctx = requireAuth(request.auth);
    const body = parseInput(maestroWebhookSendSchema, request.body);
    const webhookId = await m.echoEvents.resendWebhook(ctx, body.beoId, body.type);
    m.nudge();
    return reply.status(202).send({ webhookId });
  });

  app.get(`${P}/jobs/failed`, { config: { roles: MANAGERS } }, async (request) => {
    return { data: await m.jobs.listFailed(requireAuth(request.auth).orgId) };
  });

  app.post(`${P}/jobs/:id/replay`, { config: { roles: MANAGERS } }, async (request, reply) => {
    const ctx = requireAuth(request.auth);
    const { id } = parseInput(idParams, request.params, "params");
    await m.replay(ctx, id);
    return reply.status(202).send({ replayed: id });
  });

  app.get(`${P}/metrics/summary`, { config: { roles } }, async (request) =>
    m.metricsSummary(requireAuth(request.auth).orgId),
  );

  app.get(`${P}/audit-log`, { config: { roles: ["admin"] } }, async (request) => {
    const ctx = requireAuth(request.auth);
    const rows = await m.audit.list(ctx.orgId, 200);
    return { data: rows.map((r) => ({ ...r, details: r.details ? (JSON.parse(r.details) as unknown) : null })) };
  });
}
