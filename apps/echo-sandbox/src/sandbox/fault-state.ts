import type { SandboxFaults } from "@maestro/shared/echo-event.schema";

// The faults currently injected. In memory on purpose: a restart starts clean.
export function createFaultState(random: () => number = Math.random) {
  let faults: SandboxFaults = {};
  let windowStartMs = 0;
  let windowCount = 0;

  return {
    get(): SandboxFaults {
      return { ...faults };
    },
    set(next: SandboxFaults): void {
      faults = Object.fromEntries(Object.entries(next).filter(([, v]) => v !== undefined && v !== 0)) as SandboxFaults;
      windowStartMs = 0;
      windowCount = 0;
    },
    skewMs(): number {
      return faults.clockSkewMs ?? 0;
    },
    // True with the given probability (0 or undefined: never).
    roll(rate: number | undefined): boolean {
      return rate !== undefined && rate > 0 && random() < rate;
    },
    random,
    // Fixed one-second windows; over the limit answers how long until the next window.
    takeRateLimitToken(nowMs: number): { ok: true } | { ok: false; retryAfterSeconds: number } {
      const limit = faults.rateLimitPerSecond;
      if (!limit) return { ok: true };
      if (nowMs - windowStartMs >= 1000) {
        windowStartMs = nowMs;
        windowCount = 0;
      }
      windowCount++;
      if (windowCount <= limit) return { ok: true };
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((windowStartMs + 1000 - nowMs) / 1000)) };
    },
  };
}
export type FaultState = ReturnType<typeof createFaultState>;
