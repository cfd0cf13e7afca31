import { z } from "zod";
import { HttpError } from "../http/http-error.ts";

// A listing pass is pinned to the store sequence at its first page
// (`snapshotSeq`): it returns the newest version of each event as of that
// moment, so writes during paging can neither make it skip an event nor repeat
// one. Changes after the snapshot are picked up by the next `updatedSince` pass.
export type EventListCursor = {
  snapshotSeq: number;
  afterSeq: number;
  updatedSinceMs: number | null;
  includeDeleted: boolean;
};

const cursorSchema = z.strictObject({
  h: z.number().int().min(0),
  s: z.number().int().min(0),
  u: z.number().int().nullable(),
  d: z.boolean(),
});

export function encodeEventCursor(cursor: EventListCursor): string {
  const raw = { h: cursor.snapshotSeq, s: cursor.afterSeq, u: cursor.updatedSinceMs, d: cursor.includeDeleted };
  return Buffer.from(JSON.stringify(raw), "utf8").toString("base64url");
}

export function decodeEventCursor(value: string): EventListCursor {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(value, "base64url").toString("utf8"));
  } catch {
    raw = undefined;
  }
  const parsed = cursorSchema.safeParse(raw);
  if (!parsed.success || parsed.data.s > parsed.data.h) {
    throw new HttpError(400, "invalid_input", "Invalid cursor");
  }
  return {
    snapshotSeq: parsed.data.h,
    afterSeq: parsed.data.s,
    updatedSinceMs: parsed.data.u,
    includeDeleted: parsed.data.d,
  };
}
