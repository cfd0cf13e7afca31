import { errorBody } from "@maestro/shared/errors";
import Fastify, { type FastifyInstance, type FastifyReply } from "fastify";
import type { Logger } from "pino";
import { eventsRoutes } from "./events/events.routes.ts";
import type { EventService } from "./events/event.service.ts";
import { createApiKeyAuth } from "./http/api-key-auth.ts";
import { registerErrorHandlers } from "./http/error-handler.ts";
import { healthRoutes } from "./http/health.routes.ts";
import { registerJsonBodyParser } from "./http/json-body-parser.ts";
import { maestroWebhookRoutes } from "./maestro-receiver/maestro-webhook.routes.ts";
import type { MaestroWebhookService } from "./maestro-receiver/maestro-webhook.service.ts";
import type { NotificationRepository } from "./notifications/notification.repository.ts";
import { notificationsRoutes } from "./notifications/notifications.routes.ts";
import { salesPageRoutes } from "./sales-page/sales-page.routes.ts";
import { createApiFaultsHook, createDateSkewHook } from "./sandbox/api-faults.hook.ts";
import type { FaultState } from "./sandbox/fault-state.ts";
import type { SandboxAdminService } from "./sandbox/sandbox-admin.service.ts";
import { sandboxRoutes } from "./sandbox/sandbox.routes.ts";
import type { WebhookDeliveryRepository } from "./webhooks/webhook-delivery.repository.ts";
import type { WebhookEndpointService } from "./webhooks/webhook-endpoint.service.ts";
import { webhookEndpointsRoutes } from "./webhooks/webhook-endpoints.routes.ts";

export type SandboxAppDeps = {
  logger: Logger;
  apiKey: string;
  faults: FaultState;
  events: EventService;
  endpoints: WebhookEndpointService;
  deliveries: WebhookDeliveryRepository;
  notifications: NotificationRepository;
  receiver: MaestroWebhookService;
  admin: SandboxAdminService;
};

// Wires the HTTP surface: /v1 (API key + API faults), the Maestro webhook
// receiver (signature), /_sandbox (API key, no faults) and the sales page.
export async function buildSandboxApp(deps: SandboxAppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
    forceCloseConnections: true,
    // Router-level errors (bad URL encoding, overlong path parameters) get the contract's error shape too.
    frameworkErrors: (error, _request, reply) => {
      void (reply as FastifyReply).code(400).send(errorBody("invalid_input", error.message));
    },
  }) as unknown as FastifyInstance;
  registerErrorHandlers(app);
  registerJsonBodyParser(app);
  app.addHook("onSend", createDateSkewHook(deps.faults));

  const requireApiKey = createApiKeyAuth(deps.apiKey);
  const apiFaults = createApiFaultsHook(deps.faults);
  const { faults } = deps;

  await app.register(
    async (v1) => {
      v1.addHook("onRequest", requireApiKey);
      v1.addHook("onRequest", apiFaults);
      await v1.register(healthRoutes({ faults }));
      await v1.register(eventsRoutes({ events: deps.events, faults }));
      await v1.register(webhookEndpointsRoutes({ endpoints: deps.endpoints, faults }));
      await v1.register(notificationsRoutes({ notifications: deps.notifications, faults }));
    },
    { prefix: "/v1" },
  );
  await app.register(maestroWebhookRoutes({ receiver: deps.receiver, apiFaults }));
  await app.register(
    async (sandbox) => {
      sandbox.addHook("onRequest", requireApiKey);
      await sandbox.register(sandboxRoutes({ admin: deps.admin, faults, deliveries: deps.deliveries }));
    },
    { prefix: "/_sandbox" },
  );
  await app.register(salesPageRoutes());
  return app;
}
