import type { EchoCRMEvent } from "@maestro/shared/echo-event.schema";

// Clock skew applies to every timestamp the sandbox reports (not to what it
// stores): event timestamps, webhook payload times and the HTTP Date header.
export function skewIso(value: string, skewMs: number): string {
  if (skewMs === 0) return value;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : new Date(ms + skewMs).toISOString();
}

export function presentEvent(event: EchoCRMEvent, skewMs: number): EchoCRMEvent {
  if (skewMs === 0) return event;
  const shifted: EchoCRMEvent = {
    ...event,
    createdAt: skewIso(event.createdAt, skewMs),
    updatedAt: skewIso(event.updatedAt, skewMs),
  };
  if (event.deletedAt) shifted.deletedAt = skewIso(event.deletedAt, skewMs);
  return shifted;
}

// Re-serialises a stored webhook payload with skewed timestamps.
export function presentWebhookBody(payload: string, skewMs: number): string {
  if (skewMs === 0) return payload;
  const body = JSON.parse(payload) as { createdAt: string; data: { event: EchoCRMEvent } };
  body.createdAt = skewIso(body.createdAt, skewMs);
  body.data.event = presentEvent(body.data.event, skewMs);
  return JSON.stringify(body);
}
