import type { SandboxDatabase } from "../db/database.ts";
import type { EventService } from "../events/event.service.ts";
import type { EventRepository } from "../events/event.repository.ts";
import type { MaestroInboxRepository } from "../maestro-receiver/maestro-inbox.repository.ts";
import type { NotificationRepository } from "../notifications/notification.repository.ts";
import type { WebhookDeliveryRepository } from "../webhooks/webhook-delivery.repository.ts";
import type { WebhookEndpointRepository } from "../webhooks/webhook-endpoint.repository.ts";
import type { FaultState } from "./fault-state.ts";
import { generateSeedEvents } from "./seed-data.ts";

type Deps = {
  db: SandboxDatabase;
  events: EventRepository;
  eventService: EventService;
  endpoints: WebhookEndpointRepository;
  deliveries: WebhookDeliveryRepository;
  notifications: NotificationRepository;
  inbox: MaestroInboxRepository;
  faults: FaultState;
};

export function createSandboxAdminService(deps: Deps) {
  return {
    // Empties the store and clears faults. The store's sequence and clock keep
    // counting, so cursors and timestamps never go backwards.
    reset(options: { keepWebhookEndpoints: boolean }): void {
      deps.db.transaction(() => {
        deps.events.clear();
        deps.deliveries.clear();
        deps.notifications.clear();
        deps.inbox.clear();
        if (!options.keepWebhookEndpoints) deps.endpoints.clear();
      })();
      deps.faults.set({});
    },
    // Content is deterministic for (count, seed, today's UTC date); ids are not.
    seed(count: number, seed: number): string[] {
      return deps.eventService.createMany(generateSeedEvents(count, seed, new Date())).map((e) => e.id);
    },
  };
}
export type SandboxAdminService = ReturnType<typeof createSandboxAdminService>;
