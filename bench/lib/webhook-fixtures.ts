import type { EchoCRMEvent } from "@maestro/shared/echo-event.schema";
import type { EchoWebhookPayload } from "@maestro/shared/integration.schema";
import { signWebhook } from "@maestro/shared/webhook-signature";

const ROOMS = ["Grand Ballroom", "Crystal Ballroom", "Harbor Room", "Terrace Pavilion", "Meridian Hall", "Summit Room"];
const CLIENTS = ["Chinwe Okafor", "Daniel Reyes", "Priya Natarajan", "Tomasz Nowak", "Amara Diallo", "Hiro Tanaka"];
const REPS = ["Maria Lopez", "James Carter", "Aisha Khan", "Luca Bianchi"];

// A realistic Echo event (about 1 KB of JSON once wrapped in a webhook).
export function benchEchoEvent(id: string, n: number, version: number): EchoCRMEvent {
  const now = new Date().toISOString();
  const day = new Date(Date.UTC(2027, 0, 1) + (n % 365) * 86_400_000).toISOString().slice(0, 10);
  const guaranteed = 40 + (n % 200);
  return {
    id,
    eventName: `${CLIENTS[n % CLIENTS.length]!.split(" ")[1]} Wedding Reception #${n}`,
    eventDate: day,
    eventTime: "17:00",
    endTime: "23:00",
    timezone: "America/New_York",
    venue: "Harborview Grand Hotel",
    room: ROOMS[n % ROOMS.length]!,
    guestCount: { expected: guaranteed + 10, guaranteed },
    contractStatus: "tentative",
    budget: { totalBudget: guaranteed * 180, currency: "USD" },
    clientName: CLIENTS[n % CLIENTS.length]!,
    clientEmail: "client@example.com",
    clientPhone: "+1 555-0100",
    salesRepName: REPS[n % REPS.length]!,
    salesRepEmail: "rep@example.com",
    specialRequests: `Two vegan guests; one severe nut allergy (table ${1 + (n % 20)}).\nHigh chairs for 3 children.`,
    version,
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: now,
  };
}

// Distinct, validly signed `event.updated` deliveries over a pool of events, each
// a new webhook-id and the next version of its event.
export function webhookGenerator(secret: string, runId: string, eventPool: number) {
  let n = 0;
  const versions = new Map<number, number>();
  return () => {
    n++;
    const slot = n % eventPool;
    const version = (versions.get(slot) ?? 0) + 1;
    versions.set(slot, version);
    const webhookId = `msg_${runId}_${n}`;
    const payload: EchoWebhookPayload = {
      id: webhookId,
      type: version === 1 ? "event.created" : "event.updated",
      createdAt: new Date().toISOString(),
      data: {
        event: benchEchoEvent(`evt_${runId}_${slot}`, slot, version),
        ...(version > 1 ? { changedFields: ["guestCount"] } : {}),
      },
    };
    const body = JSON.stringify(payload);
    return { webhookId, body, headers: signWebhook(secret, webhookId, Date.now() / 1000, body) };
  };
}
