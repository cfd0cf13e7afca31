import type { SandboxDatabase } from "../db/database.ts";

export type DeliveryStatus = "pending" | "succeeded" | "dropped" | "failed" | "cancelled";

export type ClaimableDelivery = {
  seq: number;
  messageId: string;
  endpointId: string;
  eventId: string;
  attempts: number;
};

export type StoredMessage = { id: string; eventId: string; eventVersion: number; type: string; payload: string };

export type AcknowledgedDelivery = {
  webhookId: string;
  endpointId: string;
  eventId: string;
  eventVersion: number;
  type: string;
  statusCode: number;
  attempt: number;
  acknowledgedAt: string;
};

type LogRow = {
  seq: number;
  webhook_id: string;
  endpoint_id: string;
  event_id: string;
  event_version: number;
  type: string;
  status_code: number;
  attempt: number;
  acknowledged_at_ms: number;
};

// The persistent delivery queue and the log of acknowledged deliveries.
export function createWebhookDeliveryRepository(db: SandboxDatabase) {
  const insertMessage = db.prepare(
    `INSERT INTO webhook_messages (id, event_id, event_version, type, payload, created_at_ms)
     VALUES (@id, @eventId, @eventVersion, @type, @payload, @createdAtMs)`,
  );
  const insertDelivery = db.prepare(
    `INSERT INTO webhook_deliveries (message_id, endpoint_id, event_id, status, next_attempt_at_ms, updated_at_ms)
     VALUES (@messageId, @endpointId, @eventId, 'pending', @nowMs, @nowMs)`,
  );
  // With `ordered`, only the oldest pending delivery of each (endpoint, event) is
  // eligible, so one event's changes reach an endpoint in order.
  const claimable = db.prepare<{ nowMs: number; ordered: number; limit: number }, ClaimableDelivery>(
    `SELECT d.seq, d.message_id AS messageId, d.endpoint_id AS endpointId, d.event_id AS eventId, d.attempts
     FROM webhook_deliveries d
     WHERE d.status = 'pending' AND d.next_attempt_at_ms <= @nowMs
       AND (@ordered = 0 OR NOT EXISTS (
         SELECT 1 FROM webhook_deliveries e
         WHERE e.endpoint_id = d.endpoint_id AND e.event_id = d.event_id AND e.status = 'pending' AND e.seq < d.seq))
     ORDER BY d.seq LIMIT @limit`,
  );
  const message = db.prepare<[string], StoredMessage>(
    "SELECT id, event_id AS eventId, event_version AS eventVersion, type, payload FROM webhook_messages WHERE id = ?",
  );
  const setOutcome = db.prepare(
    `UPDATE webhook_deliveries SET status = @status, attempts = @attempts, next_attempt_at_ms = @nextAttemptAtMs,
       last_status_code = @statusCode, last_error = @error, updated_at_ms = @nowMs WHERE seq = @seq`,
  );
  const postponeEndpoint = db.prepare<[number, number, string, number]>(
    `UPDATE webhook_deliveries SET next_attempt_at_ms = ?, updated_at_ms = ?
     WHERE endpoint_id = ? AND status = 'pending' AND next_attempt_at_ms < ?`,
  );
  const cancelEndpoint = db.prepare<[number, string]>(
    "UPDATE webhook_deliveries SET status = 'cancelled', updated_at_ms = ? WHERE endpoint_id = ? AND status = 'pending'",
  );
  const insertLog = db.prepare(
    `INSERT INTO delivery_log (webhook_id, endpoint_id, event_id, event_version, type, status_code, attempt, acknowledged_at_ms)
     VALUES (@webhookId, @endpointId, @eventId, @eventVersion, @type, @statusCode, @attempt, @acknowledgedAtMs)`,
  );
  const logPage = db.prepare<{ after: number; eventId: string | null; limit: number }, LogRow>(
    `SELECT * FROM delivery_log WHERE seq > @after AND (@eventId IS NULL OR event_id = @eventId)
     ORDER BY seq LIMIT @limit`,
  );
  const counts = db.prepare<[], { status: DeliveryStatus; n: number }>(
    "SELECT status, count(*) AS n FROM webhook_deliveries GROUP BY status",
  );
  const clearStatements = ["webhook_messages", "webhook_deliveries", "delivery_log"].map((t) =>
    db.prepare(`DELETE FROM ${t}`),
  );

  type Outcome = {
    seq: number;
    status: DeliveryStatus;
    attempts: number;
    nextAttemptAtMs: number;
    statusCode?: number | null;
    error?: string | null;
    nowMs: number;
  };

  return {
    insertMessage(m: StoredMessage & { createdAtMs: number }) {
      insertMessage.run(m);
    },
    insertDelivery(d: { messageId: string; endpointId: string; eventId: string; nowMs: number }) {
      insertDelivery.run(d);
    },
    claimable(nowMs: number, limit: number, ordered: boolean): ClaimableDelivery[] {
      return claimable.all({ nowMs, limit, ordered: ordered ? 1 : 0 });
    },
    message(id: string): StoredMessage | undefined {
      return message.get(id);
    },
    setOutcome(outcome: Outcome) {
      setOutcome.run({ statusCode: null, error: null, ...outcome });
    },
    // A 429 with Retry-After holds back everything queued for that endpoint.
    postponeEndpoint(endpointId: string, untilMs: number, nowMs: number) {
      postponeEndpoint.run(untilMs, nowMs, endpointId, untilMs);
    },
    cancelEndpoint(endpointId: string, nowMs: number) {
      cancelEndpoint.run(nowMs, endpointId);
    },
    logAcknowledged(entry: Omit<AcknowledgedDelivery, "acknowledgedAt"> & { acknowledgedAtMs: number }) {
      insertLog.run(entry);
    },
    acknowledged(query: {
      afterSeq: number;
      eventId?: string;
      limit: number;
    }): { seq: number; entry: AcknowledgedDelivery }[] {
      return logPage.all({ after: query.afterSeq, eventId: query.eventId ?? null, limit: query.limit }).map((row) => ({
        seq: row.seq,
        entry: {
          webhookId: row.webhook_id,
          endpointId: row.endpoint_id,
          eventId: row.event_id,
          eventVersion: row.event_version,
          type: row.type,
          statusCode: row.status_code,
          attempt: row.attempt,
          acknowledgedAt: new Date(row.acknowledged_at_ms).toISOString(),
        },
      }));
    },
    counts(): Record<DeliveryStatus, number> {
      const result: Record<DeliveryStatus, number> = { pending: 0, succeeded: 0, dropped: 0, failed: 0, cancelled: 0 };
      for (const row of counts.all()) result[row.status] = row.n;
      return result;
    },
    clear() {
      for (const statement of clearStatements) statement.run();
    },
  };
}
export type WebhookDeliveryRepository = ReturnType<typeof createWebhookDeliveryRepository>;
