// Counts webhook deliveries that failed verification, per client address (to
// throttle a flood with 429) and per organization (for the alert rule). Signed,
// valid traffic is never counted, so it is never throttled.
export class BadSignatureTracker {
  private readonly byClient = new Map<string, number[]>();
  private readonly byOrg = new Map<string, number[]>();

  constructor(
    private readonly limit = 20,
    private readonly windowMs = 10_000,
  ) {}

  record(client: string, orgId: string | undefined, now = Date.now()) {
    push(this.byClient, client, now, this.windowMs);
    if (orgId) push(this.byOrg, orgId, now, 60 * 60 * 1000);
  }

  // Seconds until the client may try again, or 0 if it is not throttled.
  throttledFor(client: string, now = Date.now()): number {
    const times = prune(this.byClient.get(client), now - this.windowMs);
    if (times.length < this.limit) return 0;
    return Math.max(1, Math.ceil((times[0]! + this.windowMs - now) / 1000));
  }

  countSince(orgId: string, since: number): number {
    return prune(this.byOrg.get(orgId), since).length;
  }
}

function prune(times: number[] | undefined, since: number): number[] {
  if (!times) return [];
  while (times.length > 0 && times[0]! < since) times.shift();
  return times;
}

function push(map: Map<string, number[]>, key: string, now: number, keepMs: number) {
  const times = prune(map.get(key), now - keepMs);
  times.push(now);
  if (times.length > 10_000) times.splice(0, times.length - 10_000);
  map.set(key, times);
  if (map.size > 10_000) map.delete(map.keys().next().value!);
}
