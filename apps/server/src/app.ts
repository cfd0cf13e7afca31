import { existsSync, readFileSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import path from "node:path";
import { fileURLToPath } from "node:url";
import cookie from "@fastify/cookie";
import helmet from "@fastify/helmet";
import rateLimit from "@fastify/rate-limit";
import fastifyStatic from "@fastify/static";
import Fastify, { type FastifyInstance, type FastifyReply } from "fastify";
import type { Logger } from "pino";
import { errorBody } from "@maestro/shared/errors";
import { installAuthHook } from "./auth/auth-hook.ts";
import { AuthRepository } from "./auth/auth.repository.ts";
import { registerAuthRoutes } from "./auth/auth.routes.ts";
import { AuthService } from "./auth/auth.service.ts";
import { registerBeoRoutes } from "./beo/beo.routes.ts";
import { BeoPdfService } from "./beo/beo-pdf.service.ts";
import { BeoRepository } from "./beo/beo.repository.ts";
import { BeoService } from "./beo/beo.service.ts";
import { CalendarRepository } from "./calendar/calendar.repository.ts";
import { registerCalendarRoutes } from "./calendar/calendar.routes.ts";
import { CalendarService } from "./calendar/calendar.service.ts";
import { trustedProxies, type MaestroConfig } from "./config/env.ts";
import type { DatabaseHandle } from "./db/database.ts";
import { installErrorHandler } from "./http/error-handler.ts";
import { LocalLiveBus, type LiveBus } from "./live/live-bus.ts";
import { registerStreamRoutes } from "./live/stream.routes.ts";
import { NotificationRepository } from "./notifications/notification.repository.ts";
import { registerNotificationRoutes } from "./notifications/notification.routes.ts";
import { registerHealthRoutes } from "./observability/health.routes.ts";
import { createMetrics } from "./observability/metrics.ts";
import { AuditLog } from "./org/audit-log.ts";
import { OrganizationRepository } from "./org/organization.repository.ts";
import { RoomRepository } from "./rooms/room.repository.ts";
import { keyFromString, SecretBox } from "./crypto/secret-box.ts";
import { createEchoWebhookReceiver, registerEchoWebhookRoutes } from "./integration/echo-webhook.routes.ts";
import { createWebhookFastLane } from "./integration/webhook-fast-lane.ts";
import { createIntegrationModule, type IntegrationOptions } from "./integration/integration.module.ts";
import { registerIntegrationRoutes } from "./integration/integration.routes.ts";
import { registerRoomRoutes } from "./rooms/room.routes.ts";

const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../web/dist");
export const BODY_LIMIT_BYTES = 1024 * 1024;

export type AppDeps = {
  config: MaestroConfig;
  database: DatabaseHandle;
  logger: Logger;
  live?: LiveBus;
  integration?: Partial<IntegrationOptions>;
};

// Wires repositories → services → routes. Everything stateful lives in the returned object.
export async function buildApp({
  config,
  database,
  logger,
  live = new LocalLiveBus(),
  integration: integrationOverrides = {},
}: AppDeps) {
  const { db } = database;
  const metrics = createMetrics();
  const orgs = new OrganizationRepository(db);
  const audit = new AuditLog(db);
  const authService = new AuthService(new AuthRepository(db));
  const rooms = new RoomRepository(db);
  const calendarRepo = new CalendarRepository(db, database.dialect);
  const calendar = new CalendarService(db, calendarRepo, rooms, live);
  const beoRepo = new BeoRepository(db);
  const beos = new BeoService(db, beoRepo, calendarRepo, orgs, live, config.beoSetOveragePercent);
  const beoPdf = new BeoPdfService(beos, beoRepo, calendarRepo, orgs);
  const notifications = new NotificationRepository(db);
  let secretBox: SecretBox | undefined;
  const integration = createIntegrationModule(
    { database, beos, beoRepo, calendar, calendarRepo, notifications, orgs, audit, live, metrics, logger },
    {
      allowedHosts: config.allowedHosts,
      secretBox: () => {
        if (!config.secretKey) throw new Error("MAESTRO_SECRET_KEY is not set");
        secretBox ??= new SecretBox([config.secretKey, ...config.previousSecretKeys].map(keyFromString));
        return secretBox;
      },
      ...(config.alertWebhookUrl ? { alertWebhookUrl: config.alertWebhookUrl } : {}),
      runWorker: config.runWorker,
      runScheduler: config.runWorker,
      ...integrationOverrides,
      scheduler: {
        thresholds: config.alertThresholds,
        inboxPayloadRetentionMs: config.retention.inboxPayloadMs,
        historyRetentionMs: config.retention.historyMs,
        ...integrationOverrides.scheduler,
      },
    },
  );

  const receiveWebhook = createEchoWebhookReceiver({ ...integration, metrics });
  // The security headers never vary: computed by helmet on the first request, then copied.
  let securityHeaders: [string, string | number | string[]][] | undefined;
  const fastLane = createWebhookFastLane({
    receive: receiveWebhook,
    metrics,
    logger,
    trustProxy: config.trustProxy,
    securityHeaders: () => securityHeaders,
  });
  const tls = config.tls
    ? { cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) }
    : undefined;
  const app: FastifyInstance = Fastify({
    loggerInstance: logger,
    bodyLimit: BODY_LIMIT_BYTES,
    // The same rule as the fast lane's (config/env.ts).
    trustProxy: trustedProxies(config.trustProxy) ?? false,
    // Echo's webhook deliveries take the fast lane; everything else goes through Fastify.
    serverFactory: (handler) => {
      const route = (req: IncomingMessage, res: ServerResponse) => {
        if (!fastLane(req, res)) handler(req, res);
      };
      return tls ? createHttpsServer(tls, route) : createHttpServer(route);
    },
    // What Fastify refuses before routing (a malformed %-escape, an over-long path
    // parameter) gets the contract's error shape too, not Fastify's own.
    frameworkErrors: (error, _request, reply) => {
      const tooLong = error.code === "FST_ERR_MAX_PARAM_LENGTH";
      void (reply as unknown as FastifyReply)
        .status(tooLong ? 414 : 400)
        .send(
          errorBody(
            "invalid_input",
            tooLong ? "a path parameter is too long" : "the URL is not valid (malformed percent-encoding)",
          ),
        );
    },
  }) as unknown as FastifyInstance;

  installErrorHandler(app);
  // The API speaks JSON only; anything else is a 415, not a string to validate.
  app.removeContentTypeParser("text/plain");
  await app.register(cookie);
  await app.register(helmet, {
    // Applied by the hook below: @fastify/helmet's global mode rebuilds helmet's
    // middleware (CSP parsing included) on every request, a tenth of a small request's time.
    global: false,
    contentSecurityPolicy: {
      directives: { defaultSrc: ["'self'"], styleSrc: ["'self'", "'unsafe-inline'"], imgSrc: ["'self'", "data:"] },
    },
  });
  app.addHook("onRequest", (_request, reply, done) => {
    if (securityHeaders) {
      for (const [name, value] of securityHeaders) reply.raw.setHeader(name, value);
      return done();
    }
    const before = new Set(reply.raw.getHeaderNames());
    void reply.helmet();
    securityHeaders = Object.entries(reply.raw.getHeaders())
      .filter(([name, value]) => !before.has(name) && value !== undefined)
      .map(([name, value]) => [name, value as string | number | string[]]);
    done();
  });
  // Every API route is limited per caller (API key, else address); the webhook
  // receiver has its own rule (only failed verifications count).
  await app.register(rateLimit, {
    global: true,
    max: config.apiRateLimitPerMinute,
    timeWindow: "1 minute",
    keyGenerator: (request) => {
      const auth = request.headers.authorization;
      return auth ? `key:${auth.slice(-24)}` : `ip:${request.ip}`;
    },
    allowList: (request) =>
      !request.url.startsWith("/api/") || request.url.startsWith("/api/echo-integration/webhooks/echo-crm"),
    errorResponseBuilder: (_req, ctx) => ({
      statusCode: 429,
      ...errorBody("rate_limited", `too many requests; retry in ${Math.ceil(ctx.ttl / 1000)} s`),
    }),
  });
  app.addHook("onResponse", async (request, reply) => {
    metrics.httpRequests.inc({
      method: request.method,
      route: request.routeOptions.url ?? "unmatched",
      status: reply.statusCode,
    });
  });

  installAuthHook(app, authService);
  registerHealthRoutes(app, {
    database,
    metrics,
    echoReadiness: async () => {
      const ids = await integration.runtime.enabledOrgIds();
      const states = await Promise.all(
        ids.map(async (id) => (await integration.runtime.get(id))?.health.state ?? "down"),
      );
      return {
        echoCrm:
          states.length === 0
            ? "not_configured"
            : states.includes("down")
              ? "down"
              : states.includes("degraded")
                ? "degraded"
                : "healthy",
      };
    },
  });
  registerAuthRoutes(app, { auth: authService, orgs, audit, secureCookies: Boolean(config.tls) });
  registerRoomRoutes(app, rooms);
  registerCalendarRoutes(app, calendar);
  registerBeoRoutes(app, beos, beoPdf);
  registerNotificationRoutes(app, notifications);
  registerStreamRoutes(app, live);
  registerEchoWebhookRoutes(app, receiveWebhook);
  registerIntegrationRoutes(app, integration);

  const hasWeb = existsSync(path.join(WEB_DIST, "index.html"));
  if (hasWeb) await app.register(fastifyStatic, { root: WEB_DIST, prefix: "/", wildcard: false });
  app.setNotFoundHandler((request, reply) => {
    const url = request.url.split("?")[0] ?? "";
    if (hasWeb && request.method === "GET" && !url.startsWith("/api/") && !path.extname(url)) {
      return reply.sendFile("index.html");
    }
    return reply.status(404).send(errorBody("not_found", `no route for ${request.method} ${url}`));
  });

  return {
    app,
    database,
    metrics,
    live,
    integration,
    services: { orgs, audit, auth: authService, rooms, calendar, calendarRepo, beos, beoRepo, notifications },
    start() {
      integration.start();
    },
    async close() {
      await integration.stop();
      await app.close();
      await integration.inbox.close();
      await live.close();
    },
  };
}
export type MaestroApp = Awaited<ReturnType<typeof buildApp>>;
