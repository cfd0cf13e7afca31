import type { EchoCRMEvent, EchoWebhookEventType } from "@maestro/shared/echo-event.schema";
import type { EchoWebhookPayload } from "@maestro/shared/integration.schema";
import { newId } from "@maestro/shared/ids";
import type { WebhookDeliveryRepository } from "./webhook-delivery.repository.ts";
import type { WebhookEndpointRepository } from "./webhook-endpoint.repository.ts";

export type EventChangeNotice = {
  type: EchoWebhookEventType;
  event: EchoCRMEvent;
  previous?: Partial<EchoCRMEvent>;
  changedFields?: string[];
};

// Queues one webhook message per event change and one delivery per subscribed,
// active endpoint. Called inside the transaction that writes the change.
export function createWebhookOutbox(endpoints: WebhookEndpointRepository, deliveries: WebhookDeliveryRepository) {
  return {
    enqueue(notice: EventChangeNotice, nowMs: number): string {
      const id = newId("msg");
      const payload: EchoWebhookPayload = {
        id,
        type: notice.type,
        createdAt: notice.event.updatedAt,
        data: {
          event: notice.event,
          ...(notice.previous ? { previous: notice.previous } : {}),
          ...(notice.changedFields ? { changedFields: notice.changedFields } : {}),
        },
      };
      deliveries.insertMessage({
        id,
        eventId: notice.event.id,
        eventVersion: notice.event.version,
        type: notice.type,
        payload: JSON.stringify(payload),
        createdAtMs: nowMs,
      });
      for (const endpoint of endpoints.list()) {
        if (endpoint.status !== "active" || !endpoint.events.includes(notice.type)) continue;
        deliveries.insertDelivery({ messageId: id, endpointId: endpoint.id, eventId: notice.event.id, nowMs });
      }
      return id;
    },
  };
}
export type WebhookOutbox = ReturnType<typeof createWebhookOutbox>;
