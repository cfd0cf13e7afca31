import type { IncomingHttpHeaders } from "node:http";
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import { echoWebhookPayloadSchema } from "@maestro/shared/integration.schema";
import { errorBody, describeZodIssues } from "@maestro/shared/errors";
import { verifyWebhook } from "@maestro/shared/webhook-signature";
import type { Metrics } from "../observability/metrics.ts";
import type { BadSignatureTracker } from "./bad-signature-tracker.ts";
import type { IntegrationRuntime, OrgIntegration } from "./integration-runtime.ts";
import type { SyncOperationRepository } from "./sync-operation.repository.ts";
import type { WebhookInbox } from "./webhook-inbox.ts";
import { MAESTRO_WEBHOOK_RECEIVER_PATH } from "./integration.service.ts";

export const WEBHOOK_BODY_LIMIT = 1024 * 1024;

type Deps = {
  runtime: IntegrationRuntime;
  inbox: WebhookInbox;
  ops: SyncOperationRepository;
  metrics: Metrics;
  badSignatures: BadSignatureTracker;
};

export type WebhookRequest = {
  headers: IncomingHttpHeaders;
  raw: Buffer;
  // `?org=` of the URL, when given once.
  org: string | undefined;
  ip: string;
  log: FastifyBaseLogger;
};
export type WebhookAnswer = { status: number; headers?: Record<string, string>; body: unknown };
export type EchoWebhookReceiver = (request: WebhookRequest) => Promise<WebhookAnswer>;

// Echo → Maestro webhooks (CONTRACT §6): verified on the raw bytes, stored in
// the inbox, acknowledged only once stored. The hot path: no merge happens here.
// Served by the Fastify route below and by the server's fast lane
// (webhook-fast-lane.ts), which skip each other's framework, not this logic.
export function createEchoWebhookReceiver(deps: Deps): EchoWebhookReceiver {
  return async ({ headers, raw, org, ip, log }) => {
    const candidates = await integrationsFor(org, deps.runtime, log);
    let integration: OrgIntegration | undefined;
    let failure = "no_integration";
    for (const candidate of candidates) {
      const result = verifyWebhook(candidate.webhookSecrets, headers, raw);
      if (result.ok) {
        integration = candidate;
        break;
      }
      failure = result.reason;
    }
    if (candidates.length === 0) {
      // Not an attack: no enabled integration (e.g. paused by an admin). Echo retries later.
      deps.metrics.webhooksRejected.inc({ reason: "integration_disabled" });
      return {
        status: 401,
        body: errorBody("invalid_signature", "no enabled Echo integration accepts this delivery"),
      };
    }
    if (!integration) {
      // Verification comes first and only failures are counted and throttled:
      // correctly signed deliveries are never refused, even from a flooding address.
      const throttled = deps.badSignatures.throttledFor(ip);
      deps.badSignatures.record(ip, candidates.length === 1 ? candidates[0]!.orgId : undefined);
      if (throttled > 0) {
        deps.metrics.webhooksRejected.inc({ reason: "throttled" });
        return {
          status: 429,
          headers: { "retry-after": String(throttled) },
          body: errorBody("rate_limited", "too many deliveries with bad signatures"),
        };
      }
      deps.metrics.webhooksRejected.inc({ reason: failure });
      log.warn({ webhookId: String(headers["webhook-id"] ?? "").slice(0, 100), reason: failure }, "webhook rejected");
      return {
        status: 401,
        body: errorBody("invalid_signature", `webhook verification failed: ${failure.replace(/_/g, " ")}`),
      };
    }
    const webhookId = String(headers["webhook-id"]);
    let json: unknown;
    try {
      json = JSON.parse(raw.toString("utf8"));
    } catch {
      json = undefined;
    }
    const parsed = echoWebhookPayloadSchema.safeParse(json);
    if (!parsed.success) {
      const details =
        json === undefined ? [{ path: "", message: "body is not JSON" }] : describeZodIssues(parsed.error);
      // The rejected body is kept for diagnosis; PostgreSQL text cannot hold U+0000, so that becomes U+FFFD.
      const duplicate = await deps.inbox.store({
        orgId: integration.orgId,
        webhookId,
        type: "invalid",
        echoEventId: null,
        payload: raw.toString("utf8").slice(0, 10_000).replaceAll("\u0000", "\uFFFD"),
        rejected: "invalid payload",
      });
      if (!duplicate) {
        await deps.ops.record(integration.orgId, {
          direction: "echo_to_maestro",
          trigger: "webhook",
          status: "failed",
          changes: [],
          webhookId,
          error: `invalid webhook payload: ${details
            .map((d) => `${d.path} ${d.message}`)
            .join("; ")
            .slice(0, 500)}`,
        });
      }
      deps.metrics.webhooksRejected.inc({ reason: "invalid_payload" });
      return {
        status: 400,
        body: errorBody("invalid_input", "webhook payload does not match the Echo webhook schema", details),
      };
    }
    const duplicate = await deps.inbox.store({
      orgId: integration.orgId,
      webhookId,
      type: parsed.data.type,
      echoEventId: parsed.data.data.event.id,
      payload: raw.toString("utf8"),
    });
    deps.metrics.webhooksReceived.inc({ outcome: duplicate ? "duplicate" : "stored" });
    log.info(
      { webhookId, type: parsed.data.type, echoEventId: parsed.data.data.event.id, duplicate },
      "webhook stored",
    );
    return { status: 200, body: { received: true, duplicate } };
  };
}

export function registerEchoWebhookRoutes(app: FastifyInstance, receive: EchoWebhookReceiver): void {
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: WEBHOOK_BODY_LIMIT }, (_req, body, done) =>
      done(null, body),
    );

    scope.post(
      MAESTRO_WEBHOOK_RECEIVER_PATH,
      { config: { roles: "public" }, bodyLimit: WEBHOOK_BODY_LIMIT },
      async (request, reply) => {
        const org = (request.query as Record<string, unknown> | undefined)?.org;
        const answer = await receive({
          headers: request.headers,
          raw: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
          org: typeof org === "string" ? org : undefined,
          ip: request.ip,
          log: request.log,
        });
        if (answer.headers) void reply.headers(answer.headers);
        return reply.status(answer.status).send(answer.body);
      },
    );
  });
}

// `?org=` names the organization (Maestro registers its endpoint that way);
// without it, every enabled integration's secret is tried.
async function integrationsFor(
  org: string | undefined,
  runtime: IntegrationRuntime,
  log: FastifyBaseLogger,
): Promise<OrgIntegration[]> {
  const ids = org !== undefined && org.length <= 64 ? [org] : await runtime.enabledOrgIds();
  const found: OrgIntegration[] = [];
  for (const id of ids) {
    const integration = await runtime.get(id).catch((err: unknown) => {
      // E.g. a stored secret that fails authentication: the delivery cannot be verified, and the operator must know why.
      log.error({ err, orgId: id }, "integration configuration unreadable: webhook cannot be verified");
      return undefined;
    });
    if (integration?.enabled) found.push(integration);
  }
  return found;
}
