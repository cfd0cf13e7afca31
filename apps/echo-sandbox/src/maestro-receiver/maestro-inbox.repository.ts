import type { SandboxDatabase } from "../db/database.ts";

// Maestro webhooks already applied, by webhook-id (deduplication) and by BEO
// version (a late, older BEO webhook must not roll the status back).
export function createMaestroInboxRepository(db: SandboxDatabase) {
  const exists = db.prepare<[string], { webhook_id: string }>(
    "SELECT webhook_id FROM maestro_inbox WHERE webhook_id = ?",
  );
  const newestBeoVersion = db.prepare<[string], { v: number | null }>(
    "SELECT max(beo_version) AS v FROM maestro_inbox WHERE beo_id = ?",
  );
  const insert = db.prepare(
    `INSERT INTO maestro_inbox (webhook_id, type, echo_event_id, beo_id, beo_version, received_at_ms)
     VALUES (@webhookId, @type, @echoEventId, @beoId, @beoVersion, @receivedAtMs)`,
  );
  const clear = db.prepare("DELETE FROM maestro_inbox");
  return {
    has(webhookId: string): boolean {
      return exists.get(webhookId) !== undefined;
    },
    newestBeoVersion(beoId: string): number | null {
      return newestBeoVersion.get(beoId)?.v ?? null;
    },
    record(entry: {
      webhookId: string;
      type: string;
      echoEventId: string;
      beoId: string;
      beoVersion: number;
      receivedAtMs: number;
    }) {
      insert.run(entry);
    },
    clear() {
      clear.run();
    },
  };
}
export type MaestroInboxRepository = ReturnType<typeof createMaestroInboxRepository>;
