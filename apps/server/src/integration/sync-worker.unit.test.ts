import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_RETRY, retryDelay, type RetryPolicy } from "./sync-worker.ts";

const policyArb: fc.Arbitrary<RetryPolicy> = fc
  .tuple(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 3_600_000 }))
  .map(([baseMs, extra]) => ({ baseMs, maxMs: baseMs + extra }));
const attemptArb = fc.integer({ min: 0, max: 2000 });

// The un-jittered ceiling for an attempt: base · 2^(attempt-1), capped.
const ceiling = (attempt: number, p: RetryPolicy) => Math.min(p.maxMs, p.baseMs * 2 ** Math.max(0, attempt - 1));

function withRandom<T>(value: number, run: () => T): T {
  const spy = vi.spyOn(Math, "random").mockReturnValue(value);
  try {
    return run();
  } finally {
    spy.mockRestore();
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("retryDelay", () => {
  it("stays within [ceiling/2, ceiling] for every attempt (full jitter over the upper half)", () => {
    fc.assert(
      fc.property(attemptArb, policyArb, (attempt, policy) => {
        const d = retryDelay(attempt, policy);
        const c = ceiling(attempt, policy);
        expect(d).toBeGreaterThanOrEqual(c / 2);
        expect(d).toBeLessThanOrEqual(c);
        expect(Number.isFinite(d)).toBe(true);
      }),
    );
  });

  it("spans the whole jitter window: the lowest random number gives half the ceiling, the highest almost all of it", () => {
    expect(withRandom(0, () => retryDelay(4, DEFAULT_RETRY))).toBe(4000);
    expect(withRandom(0.5, () => retryDelay(4, DEFAULT_RETRY))).toBe(6000);
    expect(withRandom(1 - Number.EPSILON, () => retryDelay(4, DEFAULT_RETRY))).toBeCloseTo(8000, 6);
  });

  it("doubles from attempt to attempt until it reaches the cap", () => {
    const p: RetryPolicy = { baseMs: 1000, maxMs: 60_000 };
    const lows = [1, 2, 3, 4, 5, 6, 7, 8, 20].map((a) => withRandom(0, () => retryDelay(a, p)));
    expect(lows).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });

  it("never shrinks as attempts grow, for the same random draw", () => {
    fc.assert(
      fc.property(
        attemptArb,
        attemptArb,
        policyArb,
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (a, b, policy, r) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          expect(withRandom(r, () => retryDelay(lo, policy))).toBeLessThanOrEqual(
            withRandom(r, () => retryDelay(hi, policy)),
          );
        },
      ),
    );
  });

  it("is capped at maxMs however many attempts have failed", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), policyArb, (attempt, policy) => {
        expect(retryDelay(attempt, policy)).toBeLessThanOrEqual(policy.maxMs);
      }),
    );
    expect(retryDelay(10_000, DEFAULT_RETRY)).toBeLessThanOrEqual(5 * 60_000);
  });

  it("treats attempt 0 and attempt 1 alike: the first retry waits about baseMs", () => {
    expect(withRandom(0, () => retryDelay(0, DEFAULT_RETRY))).toBe(500);
    expect(withRandom(0, () => retryDelay(1, DEFAULT_RETRY))).toBe(500);
  });

  it("honours Retry-After as a floor, even above the cap", () => {
    fc.assert(
      fc.property(
        attemptArb,
        policyArb,
        fc.integer({ min: 0, max: 24 * 3_600_000 }),
        (attempt, policy, retryAfterMs) => {
          const d = retryDelay(attempt, policy, retryAfterMs);
          expect(d).toBeGreaterThanOrEqual(retryAfterMs);
          expect(d).toBeLessThanOrEqual(Math.max(retryAfterMs, ceiling(attempt, policy)));
        },
      ),
    );
    expect(retryDelay(1, DEFAULT_RETRY, 3_600_000)).toBe(3_600_000);
  });

  it("ignores a Retry-After shorter than the backoff", () => {
    expect(withRandom(0, () => retryDelay(5, DEFAULT_RETRY, 10))).toBe(8000);
    expect(withRandom(0, () => retryDelay(5, DEFAULT_RETRY, 0))).toBe(8000);
    expect(withRandom(0, () => retryDelay(5, DEFAULT_RETRY, undefined))).toBe(8000);
  });
});
