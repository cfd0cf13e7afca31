import type { EchoCRMEvent } from "@maestro/shared/echo-event.schema";
import type { SandboxDatabase } from "../db/database.ts";

export type EventPageQuery = {
  snapshotSeq: number;
  afterSeq: number;
  updatedSinceMs: number | null;
  includeDeleted: boolean;
  limit: number;
};

type BodyRow = { body: string };
type ChangeRow = { seq: number; body: string };

// SQL for events and their version history. Knows nothing about HTTP or webhooks.
export function createEventRepository(db: SandboxDatabase) {
  const selectOne = db.prepare<[string], BodyRow>("SELECT body FROM events WHERE id = ?");
  const insertEvent = db.prepare(
    "INSERT INTO events (id, version, seq, updated_at_ms, deleted, body) VALUES (@id, @version, @seq, @updatedAtMs, @deleted, @body)",
  );
  const updateEvent = db.prepare(
    "UPDATE events SET version = @version, seq = @seq, updated_at_ms = @updatedAtMs, deleted = @deleted, body = @body WHERE id = @id",
  );
  const supersede = db.prepare<[number, string]>(
    "UPDATE event_changes SET superseded_seq = ? WHERE event_id = ? AND superseded_seq IS NULL",
  );
  const insertChange = db.prepare(
    `INSERT INTO event_changes (seq, event_id, version, updated_at_ms, deleted, body)
     VALUES (@seq, @id, @version, @updatedAtMs, @deleted, @body)`,
  );
  const lastSeqBefore = db.prepare<[number], { seq: number | null }>(
    "SELECT max(seq) AS seq FROM event_changes WHERE updated_at_ms < ?",
  );
  // The newest version of each event as of the snapshot, in change order. Change
  // order is (updatedAt, id) order because updatedAt strictly increases per store.
  const page = db.prepare<
    { after: number; snapshot: number; since: number; includeDeleted: number; limit: number },
    ChangeRow
  >(
    `SELECT seq, body FROM event_changes
     WHERE seq > @after AND seq <= @snapshot
       AND (superseded_seq IS NULL OR superseded_seq > @snapshot)
       AND updated_at_ms >= @since
       AND (@includeDeleted = 1 OR deleted = 0)
     ORDER BY seq LIMIT @limit`,
  );
  const clearAll = db.prepare("DELETE FROM events");
  const clearChanges = db.prepare("DELETE FROM event_changes");

  function write(event: EchoCRMEvent, seq: number) {
    return {
      id: event.id,
      version: event.version,
      seq,
      updatedAtMs: Date.parse(event.updatedAt),
      deleted: event.deletedAt ? 1 : 0,
      body: JSON.stringify(event),
    };
  }

  return {
    get(id: string): EchoCRMEvent | undefined {
      const row = selectOne.get(id);
      return row ? (JSON.parse(row.body) as EchoCRMEvent) : undefined;
    },
    insert(event: EchoCRMEvent, seq: number): void {
      const row = write(event, seq);
      insertEvent.run(row);
      insertChange.run(row);
    },
    update(event: EchoCRMEvent, seq: number): void {
      const row = write(event, seq);
      updateEvent.run(row);
      supersede.run(seq, event.id);
      insertChange.run(row);
    },
    // Where an updatedSince pass starts: every change at or after `sinceMs` has a larger seq.
    seqBefore(sinceMs: number): number {
      return lastSeqBefore.get(sinceMs)?.seq ?? 0;
    },
    page(query: EventPageQuery): { seq: number; event: EchoCRMEvent }[] {
      return page
        .all({
          after: query.afterSeq,
          snapshot: query.snapshotSeq,
          since: query.updatedSinceMs ?? Number.MIN_SAFE_INTEGER,
          includeDeleted: query.includeDeleted ? 1 : 0,
          limit: query.limit,
        })
        .map((row) => ({ seq: row.seq, event: JSON.parse(row.body) as EchoCRMEvent }));
    },
    clear(): void {
      clearAll.run();
      clearChanges.run();
    },
  };
}
export type EventRepository = ReturnType<typeof createEventRepository>;
