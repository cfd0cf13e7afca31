import type { ErrorCode } from "@maestro/shared/errors";
import { describeZodIssues } from "@maestro/shared/errors";
import { maestroWebhookPayloadSchema, type MaestroWebhookPayload } from "@maestro/shared/integration.schema";
import { verifyWebhook } from "@maestro/shared/webhook-signature";
import type { SandboxDatabase } from "../db/database.ts";
import type { EventService } from "../events/event.service.ts";
import type { EventRepository } from "../events/event.repository.ts";
import type { NotificationRepository } from "../notifications/notification.repository.ts";
import type { WebhookEndpointRepository } from "../webhooks/webhook-endpoint.repository.ts";
import type { MaestroInboxRepository } from "./maestro-inbox.repository.ts";

export type ReceiveResult =
  | { ok: true; duplicate: boolean; eventId: string; eventVersion: number }
  | { ok: false; statusCode: 400 | 401 | 404; code: ErrorCode; message: string; details?: unknown };

type Deps = {
  db: SandboxDatabase;
  events: EventRepository;
  eventService: EventService;
  endpoints: WebhookEndpointRepository;
  inbox: MaestroInboxRepository;
  notifications: NotificationRepository;
  // Extra accepted secrets besides those of the registered webhook endpoints.
  extraSecrets: readonly string[];
  now?: () => number;
};

// Receives Maestro's BEO webhooks. Maestro signs them with the same webhookSecret
// it registered its own endpoint with, so the secrets of the registered
// endpoints are the verification keys. Returns results instead of throwing.
export function createMaestroWebhookService(deps: Deps) {
  const now = deps.now ?? Date.now;

  function notificationFor(
    payload: MaestroWebhookPayload,
    eventName: string,
  ): { kind: string; message: string } | null {
    const { beo, changes } = payload.data;
    const label = `BEO #${beo.beoNumber} for "${eventName}"`;
    switch (payload.type) {
      case "beo.created":
        return { kind: "beo_created", message: `${label} was created by banquet operations (${beo.status}).` };
      case "beo.approved":
        return { kind: "beo_approved", message: `${label} was approved by the chef.` };
      case "beo.updated":
        if (beo.status === "cancelled") return { kind: "beo_cancelled", message: `${label} was cancelled.` };
        if (!changes?.length) return null;
        return { kind: "beo_updated", message: `${label} was updated: ${changes.map((c) => c.field).join(", ")}.` };
    }
  }

  return {
    receive(headers: Record<string, string | string[] | undefined>, rawBody: Buffer): ReceiveResult {
      const secrets = [...deps.endpoints.list().map((e) => e.secret), ...deps.extraSecrets];
      const verified = verifyWebhook(secrets, headers, rawBody, now() / 1000);
      if (!verified.ok) {
        return {
          ok: false,
          statusCode: 401,
          code: "invalid_signature",
          message: "Webhook signature could not be verified",
          details: { reason: verified.reason },
        };
      }
      let json: unknown;
      try {
        json = JSON.parse(rawBody.toString("utf8"));
      } catch {
        return { ok: false, statusCode: 400, code: "invalid_json", message: "Webhook body is not valid JSON" };
      }
      const parsed = maestroWebhookPayloadSchema.safeParse(json);
      if (!parsed.success) {
        return {
          ok: false,
          statusCode: 400,
          code: "invalid_input",
          message: "Not a valid Maestro webhook payload",
          details: describeZodIssues(parsed.error),
        };
      }
      const payload = parsed.data;
      const { beo, echoEventId } = payload.data;
      return deps.db.transaction((): ReceiveResult => {
        const current = deps.events.get(echoEventId);
        if (!current) return { ok: false, statusCode: 404, code: "not_found", message: "Echo event not found" };
        if (deps.inbox.has(verified.id))
          return { ok: true, duplicate: true, eventId: current.id, eventVersion: current.version };
        const newest = deps.inbox.newestBeoVersion(beo.id);
        const receivedAtMs = now();
        deps.inbox.record({
          webhookId: verified.id,
          type: payload.type,
          echoEventId,
          beoId: beo.id,
          beoVersion: beo.version,
          receivedAtMs,
        });
        // An older BEO version arriving late, or an event deleted meanwhile, changes nothing.
        if ((newest !== null && beo.version < newest) || current.deletedAt) {
          return { ok: true, duplicate: false, eventId: current.id, eventVersion: current.version };
        }
        const updated = deps.eventService.update(echoEventId, { beoId: beo.id, beoStatus: beo.status });
        const notification = notificationFor(payload, updated.eventName);
        if (notification) deps.notifications.add({ eventId: echoEventId, ...notification, createdAtMs: receivedAtMs });
        return { ok: true, duplicate: false, eventId: updated.id, eventVersion: updated.version };
      })();
    },
  };
}
export type MaestroWebhookService = ReturnType<typeof createMaestroWebhookService>;
