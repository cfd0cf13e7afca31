import type { EchoNotification } from "@maestro/shared/echo-event.schema";
import { newId } from "@maestro/shared/ids";
import type { SandboxDatabase } from "../db/database.ts";

type NotificationRow = { id: string; event_id: string | null; kind: string; message: string; created_at_ms: number };

// What the sales team was told, newest first.
export function createNotificationRepository(db: SandboxDatabase) {
  const insert = db.prepare(
    "INSERT INTO notifications (id, event_id, kind, message, created_at_ms) VALUES (@id, @eventId, @kind, @message, @createdAtMs)",
  );
  const list = db.prepare<{ eventId: string | null; limit: number }, NotificationRow>(
    `SELECT id, event_id, kind, message, created_at_ms FROM notifications
     WHERE (@eventId IS NULL OR event_id = @eventId) ORDER BY seq DESC LIMIT @limit`,
  );
  const clear = db.prepare("DELETE FROM notifications");

  return {
    add(input: { eventId?: string; kind: string; message: string; createdAtMs: number }): EchoNotification {
      const id = newId("ntf");
      insert.run({
        id,
        eventId: input.eventId ?? null,
        kind: input.kind,
        message: input.message,
        createdAtMs: input.createdAtMs,
      });
      return {
        id,
        ...(input.eventId ? { eventId: input.eventId } : {}),
        kind: input.kind,
        message: input.message,
        createdAt: new Date(input.createdAtMs).toISOString(),
      };
    },
    list(query: { eventId?: string; limit: number }): EchoNotification[] {
      return list.all({ eventId: query.eventId ?? null, limit: query.limit }).map((row) => ({
        id: row.id,
        ...(row.event_id ? { eventId: row.event_id } : {}),
        kind: row.kind,
        message: row.message,
        createdAt: new Date(row.created_at_ms).toISOString(),
      }));
    },
    clear() {
      clear.run();
    },
  };
}
export type NotificationRepository = ReturnType<typeof createNotificationRepository>;
