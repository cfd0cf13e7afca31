import { describe, expect, it } from "vitest";
import { MAX_RETRY_AFTER_MS, nextRetryDelayMs, parseRetryAfterMs, RETRY_JITTER_RATIO } from "./retry-policy.ts";

describe("nextRetryDelayMs", () => {
  const schedule = [100, 300, 900];

  it("follows the schedule and gives up when it runs out", () => {
    expect(nextRetryDelayMs(1, schedule, () => 0)).toBe(100);
    expect(nextRetryDelayMs(2, schedule, () => 0)).toBe(300);
    expect(nextRetryDelayMs(3, schedule, () => 0)).toBe(900);
    expect(nextRetryDelayMs(4, schedule, () => 0)).toBeNull();
  });

  it("adds at most the jitter ratio on top of the scheduled delay", () => {
    expect(nextRetryDelayMs(2, schedule, () => 0.999_999)).toBe(Math.round(300 * (1 + RETRY_JITTER_RATIO * 0.999_999)));
    for (let i = 0; i < 200; i++) {
      const delay = nextRetryDelayMs(1, schedule) ?? -1;
      expect(delay).toBeGreaterThanOrEqual(100);
      expect(delay).toBeLessThanOrEqual(100 * (1 + RETRY_JITTER_RATIO));
    }
  });
});

describe("parseRetryAfterMs", () => {
  const now = Date.parse("2030-01-01T00:00:00Z");

  it("reads delta-seconds", () => {
    expect(parseRetryAfterMs("2", now)).toBe(2000);
    expect(parseRetryAfterMs(["0"], now)).toBe(0);
  });

  it("reads an HTTP date", () => {
    expect(parseRetryAfterMs("Tue, 01 Jan 2030 00:00:05 GMT", now)).toBe(5000);
    expect(parseRetryAfterMs("Mon, 31 Dec 2029 23:00:00 GMT", now)).toBe(0);
  });

  it("clamps huge values and ignores nonsense", () => {
    expect(parseRetryAfterMs("999999", now)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfterMs("soon", now)).toBeUndefined();
    expect(parseRetryAfterMs(undefined, now)).toBeUndefined();
    expect(parseRetryAfterMs("-3", now)).toBeUndefined();
  });
});
