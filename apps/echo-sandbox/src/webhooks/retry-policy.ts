// Standard Webhooks-style retry schedule: after the first attempt, wait
// schedule[0], then schedule[1], … and give up when it runs out.
export const defaultRetryScheduleMs: readonly number[] = [
  5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 7_200_000, 18_000_000,
];

// Jitter only lengthens a delay (up to +20%), so delays keep growing with the
// schedule while retries of many deliveries still spread out.
export const RETRY_JITTER_RATIO = 0.2;

// The longest Retry-After we honour; a larger value is clamped to it.
export const MAX_RETRY_AFTER_MS = 3_600_000;

// Delay before the next attempt after `attemptsMade` failed ones, or null when exhausted.
export function nextRetryDelayMs(
  attemptsMade: number,
  schedule: readonly number[],
  random: () => number = Math.random,
): number | null {
  const base = schedule[attemptsMade - 1];
  if (base === undefined) return null;
  return Math.round(base * (1 + RETRY_JITTER_RATIO * random()));
}

// Retry-After is either delta-seconds or an HTTP date.
export function parseRetryAfterMs(header: string | string[] | undefined, nowMs: number): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Math.min(Number(value) * 1000, MAX_RETRY_AFTER_MS);
  if (!/^[A-Za-z]{3}, /.test(value)) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(at - nowMs, 0), MAX_RETRY_AFTER_MS);
}
