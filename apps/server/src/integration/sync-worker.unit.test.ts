import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import pino from "pino";
import type { ClaimedJob } from "./job-queue.ts";
import { DEFAULT_RETRY, retryDelay, SyncWorker, type RetryPolicy } from "./sync-worker.ts";

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

// The claim loop against a queue of the test's own: when it claims, and when it waits.
describe("SyncWorker's claims", () => {
  const job = (seq: number): ClaimedJob => ({
    id: `job_${seq}`,
    seq,
    orgId: "org_1",
    kind: "echo_change",
    orderingKey: `evt_${seq}`,
    payload: "{}",
    status: "running",
    attempts: 1,
    maxAttempts: 8,
    runAt: "",
    lockedBy: "w",
    lockedUntil: "",
    lastError: null,
    operationId: null,
    createdAt: "",
    updatedAt: "",
  });
  // Claims answer when the test says so; a claimed job runs until the test ends.
  function harness() {
    const claims: { limit: number; answer: (jobs: ClaimedJob[]) => void }[] = [];
    let endJobs!: () => void;
    const jobsEnd = new Promise<undefined>((resolve) => (endJobs = () => resolve(undefined)));
    const worker = new SyncWorker({
      jobs: {
        releaseAbandoned: async () => 0,
        renew: async () => undefined,
        claim: (_worker: string, limit: number) =>
          new Promise<ClaimedJob[]>((answer) => claims.push({ limit, answer })),
        fail: async () => "failed",
      },
      inbox: { recentlyStored: () => 0 },
      runtime: { get: () => jobsEnd },
      logger: pino({ level: "silent" }),
      concurrency: 8,
      // Long enough that a claim made within the test's time was not made by the poll.
      pollMs: 60_000,
    } as unknown as ConstructorParameters<typeof SyncWorker>[0]);
    return {
      worker,
      claims,
      async stop() {
        const stopped = worker.stop();
        for (const c of claims) c.answer([]);
        endJobs();
        await stopped;
      },
    };
  }
  const settleLoop = () => new Promise((r) => setTimeout(r, 50));

  it("does not claim again at once after a claim that found fewer jobs than it asked for", async () => {
    const h = harness();
    h.worker.start();
    await vi.waitFor(() => expect(h.claims).toHaveLength(1));
    expect(h.claims[0]!.limit).toBe(8);
    h.claims[0]!.answer([job(1)]);
    await settleLoop();
    // The queue had nothing more: the next claim waits for a nudge, a finished job or the poll.
    expect(h.claims).toHaveLength(1);
    h.worker.nudge();
    await vi.waitFor(() => expect(h.claims).toHaveLength(2));
    expect(h.claims[1]!.limit).toBe(7);
    await h.stop();
  });

  it("does not lose a nudge that comes while a claim is under way", async () => {
    const h = harness();
    h.worker.start();
    await vi.waitFor(() => expect(h.claims).toHaveLength(1));
    // A delivery is stored while the claim is being answered (it did not see it)...
    h.worker.nudge();
    h.claims[0]!.answer([job(1)]);
    // ...so the worker claims again, without waiting for the poll.
    await vi.waitFor(() => expect(h.claims).toHaveLength(2));
    await h.stop();
  });
});
