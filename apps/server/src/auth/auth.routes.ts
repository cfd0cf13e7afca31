import type { FastifyInstance } from "fastify";
import { apiKeyCreateSchema, loginSchema, roles, type Me } from "@maestro/shared/maestro.schema";
import { z } from "zod";
import type { OrganizationRepository } from "../org/organization.repository.ts";
import { notFound } from "../http/errors.ts";
import { parseInput } from "../http/validate.ts";
import type { AuditLog } from "../org/audit-log.ts";
import { requireAuth } from "./auth-context.ts";
import { SESSION_COOKIE } from "./auth-hook.ts";
import type { AuthService } from "./auth.service.ts";

type Deps = { auth: AuthService; orgs: OrganizationRepository; audit: AuditLog; secureCookies: boolean };

export function registerAuthRoutes(app: FastifyInstance, { auth, orgs, audit, secureCookies }: Deps): void {
  app.post(
    "/api/auth/login",
    {
      config: {
        roles: "public",
        // Per address, whatever the request carries: the global rule's per-key buckets
        // would give a fresh one to every made-up Authorization header.
        rateLimit: { max: 30, timeWindow: "1 minute", keyGenerator: (request) => `login:${request.ip}` },
      },
    },
    async (request, reply) => {
      const body = parseInput(loginSchema, request.body);
      const { token, csrfToken, user, maxAgeSeconds } = await auth.login(body.email, body.password);
      const org = await orgs.findById(user.orgId);
      void reply.setCookie(SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: "lax",
        // Served over TLS here, or by a trusted proxy (X-Forwarded-Proto).
        secure: secureCookies || request.protocol === "https",
        path: "/",
        maxAge: maxAgeSeconds,
      });
      const me: Me = {
        user: { id: user.id, email: user.email, name: user.name, role: user.role as Me["user"]["role"] },
        organization: { id: org!.id, slug: org!.slug, name: org!.name },
        csrfToken,
      };
      return me;
    },
  );

  app.post("/api/auth/logout", { config: { roles } }, async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token) await auth.logout(token);
    void reply.clearCookie(SESSION_COOKIE, { path: "/" });
    return reply.status(204).send();
  });

  app.get("/api/auth/me", { config: { roles } }, async (request) => {
    const ctx = requireAuth(request.auth);
    const org = await orgs.findById(ctx.orgId);
    const user = ctx.userId ? await orgs.findUser(ctx.orgId, ctx.userId) : undefined;
    const me: Me = {
      user: user
        ? { id: user.id, email: user.email, name: user.name, role: ctx.role }
        : { id: ctx.apiKeyId ?? "", email: "", name: ctx.actor, role: ctx.role },
      organization: { id: org!.id, slug: org!.slug, name: org!.name },
      ...(ctx.csrfToken ? { csrfToken: ctx.csrfToken } : {}),
    };
    return me;
  });

  app.post("/api/api-keys", { config: { roles: ["admin"] } }, async (request, reply) => {
    const ctx = requireAuth(request.auth);
    const body = parseInput(apiKeyCreateSchema, request.body);
    const created = await auth.createApiKey(ctx.orgId, body.name, body.role, ctx.actor);
    await audit.record(ctx, "api_key.created", created.id, { name: body.name, role: body.role });
    return reply.status(201).send(created);
  });

  app.get("/api/api-keys", { config: { roles: ["admin"] } }, async (request) => {
    const ctx = requireAuth(request.auth);
    return { data: await auth.listApiKeys(ctx.orgId) };
  });

  app.delete("/api/api-keys/:id", { config: { roles: ["admin"] } }, async (request, reply) => {
    const ctx = requireAuth(request.auth);
    const { id } = parseInput(z.strictObject({ id: z.string().max(64) }), request.params, "params");
    if (!(await auth.revokeApiKey(ctx.orgId, id))) throw notFound("API key");
    await audit.record(ctx, "api_key.revoked", id, null);
    return reply.status(204).send();
  });
}
