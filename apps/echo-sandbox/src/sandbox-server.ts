import type { FastifyInstance } from "fastify";
import { pino, type Logger } from "pino";
import { buildSandboxApp } from "./app.ts";
import { openSandboxDatabase } from "./db/database.ts";
import { startWalCheckpointer } from "@maestro/shared/sqlite-wal-checkpointer";
import { createStoreClock } from "./db/store-clock.ts";
import { createEventRepository } from "./events/event.repository.ts";
import { createEventService } from "./events/event.service.ts";
import { createMaestroInboxRepository } from "./maestro-receiver/maestro-inbox.repository.ts";
import { createMaestroWebhookService } from "./maestro-receiver/maestro-webhook.service.ts";
import { createNotificationRepository } from "./notifications/notification.repository.ts";
import { createFaultState, type FaultState } from "./sandbox/fault-state.ts";
import { createSandboxAdminService } from "./sandbox/sandbox-admin.service.ts";
import { createDeliveryWorker } from "./webhooks/delivery-worker.ts";
import { defaultRetryScheduleMs } from "./webhooks/retry-policy.ts";
import { createWebhookDeliveryRepository } from "./webhooks/webhook-delivery.repository.ts";
import { createWebhookEndpointRepository } from "./webhooks/webhook-endpoint.repository.ts";
import { createWebhookEndpointService } from "./webhooks/webhook-endpoint.service.ts";
import { createWebhookOutbox } from "./webhooks/webhook-outbox.ts";
import { createWebhookSender } from "./webhooks/webhook-sender.ts";

export const DEFAULT_ECHO_SANDBOX_PORT = 4100;
export const DEFAULT_ECHO_SANDBOX_API_KEY = "echo-sandbox-key";

export type EchoSandboxOptions = {
  // Directory of the SQLite file (`echo-sandbox.sqlite`); created if missing.
  dataDir: string;
  // 0 picks a free port. Default 4100.
  port?: number;
  host?: string;
  apiKey?: string;
  // Delays before each retry of a failed webhook delivery (jitter adds up to +20%).
  retryScheduleMs?: readonly number[];
  // Per-attempt timeout of a webhook delivery. Default 10 s.
  deliveryTimeoutMs?: number;
  // Parallel webhook deliveries. Default 8.
  deliveryConcurrency?: number;
  // Secrets accepted on the Maestro webhook receiver besides registered endpoints' secrets.
  maestroWebhookSecrets?: readonly string[];
  logger?: Logger;
  logLevel?: string;
};

export type EchoSandbox = {
  url: string;
  port: number;
  host: string;
  apiKey: string;
  app: FastifyInstance;
  faults: FaultState;
  close(): Promise<void>;
};

// Starts a complete sandbox in this process: store, HTTP server and webhook
// delivery loop. Used by main.ts, the demo launcher and the tests.
export async function startEchoSandbox(options: EchoSandboxOptions): Promise<EchoSandbox> {
  const logger =
    options.logger ??
    pino({ level: options.logLevel ?? "info", name: "echo-sandbox", redact: ["req.headers.authorization"] });
  const apiKey = options.apiKey ?? DEFAULT_ECHO_SANDBOX_API_KEY;
  const host = options.host ?? "127.0.0.1";
  const db = openSandboxDatabase(options.dataDir);
  // Commits only append to the WAL; a thread copies it into the database file.
  const checkpointer = startWalCheckpointer(db, { logger });

  const faults = createFaultState();
  const events = createEventRepository(db);
  const endpoints = createWebhookEndpointRepository(db);
  const deliveries = createWebhookDeliveryRepository(db);
  const notifications = createNotificationRepository(db);
  const inbox = createMaestroInboxRepository(db);
  const sender = createWebhookSender(options.deliveryTimeoutMs ?? 10_000);
  const worker = createDeliveryWorker({
    deliveries,
    endpoints,
    sender,
    faults,
    logger: logger.child({ component: "webhook-delivery" }),
    retryScheduleMs: options.retryScheduleMs ?? defaultRetryScheduleMs,
    concurrency: options.deliveryConcurrency ?? 8,
  });
  const eventService = createEventService({
    db,
    events,
    clock: createStoreClock(db),
    outbox: createWebhookOutbox(endpoints, deliveries),
    onChange: () => worker.wake(),
  });
  const receiver = createMaestroWebhookService({
    db,
    events,
    eventService,
    endpoints,
    inbox,
    notifications,
    extraSecrets: options.maestroWebhookSecrets ?? [],
  });
  const admin = createSandboxAdminService({
    db,
    events,
    eventService,
    endpoints,
    deliveries,
    notifications,
    inbox,
    faults,
  });
  const app = await buildSandboxApp({
    logger,
    apiKey,
    faults,
    events: eventService,
    endpoints: createWebhookEndpointService({ db, endpoints, deliveries }),
    deliveries,
    notifications,
    receiver,
    admin,
  });

  try {
    await app.listen({ port: options.port ?? DEFAULT_ECHO_SANDBOX_PORT, host });
  } catch (error) {
    await checkpointer.stop();
    db.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : (options.port ?? DEFAULT_ECHO_SANDBOX_PORT);
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  worker.start();
  logger.info({ url }, "echo sandbox listening");

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    host,
    apiKey,
    app,
    faults,
    close() {
      closing ??= (async () => {
        await worker.stop();
        await app.close();
        await sender.close();
        await checkpointer.stop();
        db.close();
      })();
      return closing;
    },
  };
}
