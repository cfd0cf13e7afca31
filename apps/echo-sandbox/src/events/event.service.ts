import type {
  EchoCRMEvent,
  EchoEventPatch,
  EchoWebhookEventType,
  echoEventCreateSchema,
} from "@maestro/shared/echo-event.schema";
import { newId } from "@maestro/shared/ids";
import type { z } from "zod";
import type { SandboxDatabase } from "../db/database.ts";
import type { StoreClock } from "../db/store-clock.ts";
import { HttpError, notFound } from "../http/http-error.ts";
import type { WebhookOutbox } from "../webhooks/webhook-outbox.ts";
import { applyEventPatch, diffEvents } from "./event-change.ts";
import { decodeEventCursor, encodeEventCursor, type EventListCursor } from "./event-cursor.ts";
import type { EventRepository } from "./event.repository.ts";

export type EventCreateInput = z.output<typeof echoEventCreateSchema>;

export type EventListInput = {
  updatedSinceMs?: number;
  cursor?: string;
  limit: number;
  includeDeleted: boolean;
};

type Deps = {
  db: SandboxDatabase;
  events: EventRepository;
  clock: StoreClock;
  outbox: WebhookOutbox;
  // Called after a change is committed (wakes the delivery loop).
  onChange: () => void;
};

const iso = (ms: number) => new Date(ms).toISOString();

// Event use cases. Every change bumps the version, stamps a strictly increasing
// updatedAt, records a history row and queues its webhook — all in one transaction.
export function createEventService({ db, events, clock, outbox, onChange }: Deps) {
  function insertNew(input: EventCreateInput): EchoCRMEvent {
    const stamp = clock.next();
    const event: EchoCRMEvent = {
      id: newId("evt"),
      ...input,
      version: 1,
      createdAt: iso(stamp.timeMs),
      updatedAt: iso(stamp.timeMs),
    };
    events.insert(event, stamp.seq);
    outbox.enqueue({ type: "event.created", event }, stamp.timeMs);
    return event;
  }

  function requireEvent(id: string, expectedVersion: number | undefined): EchoCRMEvent {
    const current = events.get(id);
    if (!current) throw notFound("Event");
    if (expectedVersion !== undefined && expectedVersion !== current.version) {
      throw new HttpError(412, "version_mismatch", `Event is at version ${current.version}, not ${expectedVersion}`, {
        currentVersion: current.version,
      });
    }
    return current;
  }

  // Applies `compute` to the current event; a result equal to it is no change
  // (no version bump, no webhook), which keeps two-way sync free of loops.
  function change(
    id: string,
    expectedVersion: number | undefined,
    compute: (current: EchoCRMEvent) => EchoCRMEvent,
    kind: "update" | "delete",
  ): EchoCRMEvent {
    const result = db.transaction(() => {
      const current = requireEvent(id, expectedVersion);
      if (current.deletedAt) {
        if (kind === "delete") return { event: current, changed: false };
        throw new HttpError(409, "conflict", "Event is deleted");
      }
      const proposed = compute(current);
      const diff = diffEvents(current, proposed);
      if (kind === "update" && diff.changedFields.length === 0) return { event: current, changed: false };
      const stamp = clock.next();
      const next: EchoCRMEvent = { ...proposed, version: current.version + 1, updatedAt: iso(stamp.timeMs) };
      if (kind === "delete") next.deletedAt = iso(stamp.timeMs);
      events.update(next, stamp.seq);
      const type: EchoWebhookEventType =
        kind === "delete"
          ? "event.deleted"
          : diff.changedFields.includes("contractStatus") && next.contractStatus === "signed"
            ? "contract.signed"
            : "event.updated";
      const changedFields = kind === "delete" ? ["deletedAt"] : diff.changedFields;
      outbox.enqueue({ type, event: next, previous: diff.previous, changedFields }, stamp.timeMs);
      return { event: next, changed: true };
    })();
    if (result.changed) onChange();
    return result.event;
  }

  return {
    create(input: EventCreateInput): EchoCRMEvent {
      const event = db.transaction(() => insertNew(input))();
      onChange();
      return event;
    },
    createMany(inputs: EventCreateInput[]): EchoCRMEvent[] {
      const created = db.transaction(() => inputs.map(insertNew))();
      onChange();
      return created;
    },
    get(id: string): EchoCRMEvent {
      return requireEvent(id, undefined);
    },
    update(id: string, patch: EchoEventPatch, expectedVersion?: number): EchoCRMEvent {
      return change(id, expectedVersion, (current) => applyEventPatch(current, patch), "update");
    },
    signContract(id: string, expectedVersion?: number): EchoCRMEvent {
      return change(id, expectedVersion, (current) => ({ ...current, contractStatus: "signed" }), "update");
    },
    remove(id: string, expectedVersion?: number): EchoCRMEvent {
      return change(id, expectedVersion, (current) => current, "delete");
    },
    list(input: EventListInput): { data: EchoCRMEvent[]; nextCursor: string | null } {
      let cursor: EventListCursor;
      if (input.cursor) {
        cursor = decodeEventCursor(input.cursor);
      } else {
        const since = input.updatedSinceMs ?? null;
        cursor = {
          snapshotSeq: clock.lastSeq(),
          afterSeq: since === null ? 0 : events.seqBefore(since),
          updatedSinceMs: since,
          includeDeleted: input.includeDeleted,
        };
      }
      const rows = events.page({ ...cursor, limit: input.limit + 1 });
      const page = rows.slice(0, input.limit);
      const last = page.at(-1);
      const nextCursor =
        rows.length > input.limit && last ? encodeEventCursor({ ...cursor, afterSeq: last.seq }) : null;
      return { data: page.map((row) => row.event), nextCursor };
    },
  };
}
export type EventService = ReturnType<typeof createEventService>;
