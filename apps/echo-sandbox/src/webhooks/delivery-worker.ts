import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import { presentWebhookBody } from "../sandbox/clock-skew.ts";
import type { FaultState } from "../sandbox/fault-state.ts";
import { nextRetryDelayMs, parseRetryAfterMs } from "./retry-policy.ts";
import type { ClaimableDelivery, WebhookDeliveryRepository } from "./webhook-delivery.repository.ts";
import type { WebhookEndpointRepository } from "./webhook-endpoint.repository.ts";
import type { SendResult, WebhookSender } from "./webhook-sender.ts";

export type DeliveryWorkerOptions = {
  deliveries: WebhookDeliveryRepository;
  endpoints: WebhookEndpointRepository;
  sender: WebhookSender;
  faults: FaultState;
  logger: Logger;
  retryScheduleMs: readonly number[];
  concurrency?: number;
  pollIntervalMs?: number;
  now?: () => number;
};

// Drains the persistent delivery queue: at-least-once, in order per event and
// endpoint (unless the reorder fault is on), retrying per the schedule. A
// delivery stays `pending` in the database until its outcome is written, so a
// crash mid-send only means it is sent again after the restart.
export function createDeliveryWorker(options: DeliveryWorkerOptions) {
  const { deliveries, endpoints, sender, faults, logger, retryScheduleMs } = options;
  const concurrency = options.concurrency ?? 8;
  const pollIntervalMs = options.pollIntervalMs ?? 50;
  const now = options.now ?? Date.now;
  const inFlight = new Map<number, Promise<void>>();
  const stopController = new AbortController();
  let running = false;
  let timer: NodeJS.Timeout | undefined;

  function schedule(delayMs: number) {
    if (!running) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(tick, delayMs);
  }

  function tick() {
    timer = undefined;
    if (!running) return;
    try {
      const free = concurrency - inFlight.size;
      if (free > 0) {
        const ordered = !(faults.get().reorderWindowMs ?? 0);
        const due = deliveries
          .claimable(now(), free + inFlight.size, ordered)
          .filter((row) => !inFlight.has(row.seq))
          .slice(0, free);
        for (const row of due) {
          const work = deliver(row)
            .catch((error: unknown) => logger.error({ err: error, deliverySeq: row.seq }, "webhook delivery crashed"))
            .finally(() => {
              inFlight.delete(row.seq);
              schedule(0);
            });
          inFlight.set(row.seq, work);
        }
      }
    } catch (error) {
      logger.error({ err: error }, "webhook delivery loop failed");
    }
    schedule(pollIntervalMs);
  }

  async function pause(ms: number): Promise<boolean> {
    if (ms <= 0) return running;
    await sleep(ms, undefined, { signal: stopController.signal }).catch(() => undefined);
    return running;
  }

  async function deliver(row: ClaimableDelivery): Promise<void> {
    const message = deliveries.message(row.messageId);
    const endpoint = endpoints.get(row.endpointId);
    if (!message || !endpoint || endpoint.status !== "active") {
      deliveries.setOutcome({
        seq: row.seq,
        status: "cancelled",
        attempts: row.attempts,
        nextAttemptAtMs: now(),
        nowMs: now(),
      });
      return;
    }
    const attempt = row.attempts + 1;
    const active = faults.get();
    // Reorder: hold each delivery for a random time within the window.
    if (!(await pause(Math.floor(faults.random() * (active.reorderWindowMs ?? 0))))) return;
    if (!(await pause(active.latencyMs ?? 0))) return;
    const log = logger.child({ webhookId: message.id, endpointId: endpoint.id, eventId: message.eventId, attempt });
    if (faults.roll(active.dropRate)) {
      // Counted as sent, never reaches the receiver and is not acknowledged.
      deliveries.setOutcome({
        seq: row.seq,
        status: "dropped",
        attempts: attempt,
        nextAttemptAtMs: now(),
        nowMs: now(),
      });
      log.debug("webhook dropped by fault injection");
      return;
    }
    const body = presentWebhookBody(message.payload, faults.skewMs());
    const copies = faults.roll(active.duplicateRate) ? 2 : 1;
    const results: SendResult[] = [];
    for (let copy = 0; copy < copies; copy++) {
      results.push(
        await sender.send({
          url: endpoint.url,
          secret: endpoint.secret,
          webhookId: message.id,
          body,
          signal: stopController.signal,
        }),
      );
    }
    if (!running && results.every((r) => r.kind === "error")) return; // stopped mid-send: stays pending
    const acknowledged = results.filter(
      (r): r is Extract<SendResult, { kind: "response" }> =>
        r.kind === "response" && r.statusCode >= 200 && r.statusCode < 300,
    );
    const nowMs = now();
    const first = results[0];
    if (acknowledged.length > 0) {
      const statusCode = acknowledged[0]?.statusCode ?? 200;
      for (const ack of acknowledged) {
        deliveries.logAcknowledged({
          webhookId: message.id,
          endpointId: endpoint.id,
          eventId: message.eventId,
          eventVersion: message.eventVersion,
          type: message.type,
          statusCode: ack.statusCode,
          attempt,
          acknowledgedAtMs: nowMs,
        });
      }
      deliveries.setOutcome({
        seq: row.seq,
        status: "succeeded",
        attempts: attempt,
        nextAttemptAtMs: nowMs,
        statusCode,
        nowMs,
      });
      log.debug({ statusCode }, "webhook delivered");
      return;
    }
    if (!first) return;
    const statusCode = first.kind === "response" ? first.statusCode : null;
    const error = first.kind === "error" ? first.error : `HTTP ${first.statusCode}`;
    if (statusCode === 410) {
      endpoints.disable(endpoint.id, "410 Gone");
      deliveries.setOutcome({
        seq: row.seq,
        status: "cancelled",
        attempts: attempt,
        nextAttemptAtMs: nowMs,
        statusCode,
        error,
        nowMs,
      });
      deliveries.cancelEndpoint(endpoint.id, nowMs);
      log.warn("webhook endpoint answered 410 Gone; endpoint disabled");
      return;
    }
    const scheduled = nextRetryDelayMs(attempt, retryScheduleMs, faults.random);
    if (scheduled === null) {
      deliveries.setOutcome({
        seq: row.seq,
        status: "failed",
        attempts: attempt,
        nextAttemptAtMs: nowMs,
        statusCode,
        error,
        nowMs,
      });
      log.warn({ statusCode, error }, "webhook delivery failed after its last attempt");
      return;
    }
    const retryAfterMs =
      first.kind === "response" && statusCode === 429 ? parseRetryAfterMs(first.retryAfter, nowMs) : undefined;
    const nextAttemptAtMs = nowMs + (retryAfterMs ?? scheduled);
    deliveries.setOutcome({
      seq: row.seq,
      status: "pending",
      attempts: attempt,
      nextAttemptAtMs,
      statusCode,
      error,
      nowMs,
    });
    if (retryAfterMs !== undefined) deliveries.postponeEndpoint(endpoint.id, nextAttemptAtMs, nowMs);
    log.info({ statusCode, error, retryInMs: nextAttemptAtMs - nowMs }, "webhook delivery will be retried");
  }

  return {
    start() {
      if (running) return;
      running = true;
      schedule(0);
    },
    // Wakes the loop now (after a change was queued).
    wake() {
      schedule(0);
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      stopController.abort();
      await Promise.allSettled([...inFlight.values()]);
    },
  };
}
export type DeliveryWorker = ReturnType<typeof createDeliveryWorker>;
