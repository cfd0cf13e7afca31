import {
  echoWebhookEventTypes,
  type EchoWebhookEventType,
  type WebhookEndpoint,
} from "@maestro/shared/echo-event.schema";
import { newId } from "@maestro/shared/ids";
import type { SandboxDatabase } from "../db/database.ts";
import { notFound } from "../http/http-error.ts";
import type { WebhookDeliveryRepository } from "./webhook-delivery.repository.ts";
import type { StoredEndpoint, WebhookEndpointRepository } from "./webhook-endpoint.repository.ts";

// The secret is write-only: it is never part of an answer.
export function publicEndpoint(endpoint: StoredEndpoint): WebhookEndpoint {
  return {
    id: endpoint.id,
    url: endpoint.url,
    events: endpoint.events,
    status: endpoint.status,
    createdAt: endpoint.createdAt,
  };
}

export function createWebhookEndpointService(deps: {
  db: SandboxDatabase;
  endpoints: WebhookEndpointRepository;
  deliveries: WebhookDeliveryRepository;
  now?: () => number;
}) {
  const now = deps.now ?? Date.now;
  return {
    // Registering a URL again replaces its secret and events and re-activates it,
    // so a re-initialised Maestro never ends up subscribed twice.
    register(input: { url: string; secret: string; events?: EchoWebhookEventType[] | undefined }): {
      endpoint: WebhookEndpoint;
      created: boolean;
    } {
      const events = input.events ? [...new Set(input.events)] : [...echoWebhookEventTypes];
      return deps.db.transaction(() => {
        const existing = deps.endpoints.findByUrl(input.url);
        if (existing) {
          deps.endpoints.reactivate(existing.id, input.secret, events);
        } else {
          deps.endpoints.insert({ id: newId("whe"), url: input.url, secret: input.secret, events, createdAtMs: now() });
        }
        const stored = deps.endpoints.findByUrl(input.url);
        if (!stored) throw new Error("webhook endpoint vanished");
        return { endpoint: publicEndpoint(stored), created: !existing };
      })();
    },
    list(): WebhookEndpoint[] {
      return deps.endpoints.list().map(publicEndpoint);
    },
    remove(id: string): void {
      deps.db.transaction(() => {
        if (!deps.endpoints.remove(id)) throw notFound("Webhook endpoint");
        deps.deliveries.cancelEndpoint(id, now());
      })();
    },
  };
}
export type WebhookEndpointService = ReturnType<typeof createWebhookEndpointService>;
