import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HttpError } from "../http/http-error.ts";
import { decodeEventCursor, encodeEventCursor } from "./event-cursor.ts";

describe("event list cursor", () => {
  it("round-trips every valid cursor", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 1e12 }),
        fc.nat({ max: 1e12 }),
        fc.option(fc.integer({ min: 0, max: 4e12 })),
        fc.boolean(),
        (a, b, since, includeDeleted) => {
          const cursor = {
            snapshotSeq: Math.max(a, b),
            afterSeq: Math.min(a, b),
            updatedSinceMs: since,
            includeDeleted,
          };
          expect(decodeEventCursor(encodeEventCursor(cursor))).toEqual(cursor);
        },
      ),
    );
  });

  it("rejects garbage and tampered cursors with a 400", () => {
    const tampered = Buffer.from(JSON.stringify({ h: 1, s: 5, u: null, d: true })).toString("base64url");
    for (const value of ["", "not-a-cursor", "eyJ9", tampered]) {
      expect(() => decodeEventCursor(value)).toThrow(HttpError);
      try {
        decodeEventCursor(value);
      } catch (error) {
        expect((error as HttpError).statusCode).toBe(400);
      }
    }
  });
});
