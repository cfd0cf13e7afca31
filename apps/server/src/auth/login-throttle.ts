// Backoff for failed logins, per e-mail address: after a few failures each
// further attempt must wait twice as long (capped), whatever the password.
// A success clears the record.
const FREE_ATTEMPTS = 5;
const BASE_DELAY_MS = 1000;
const MAX_DELAY_MS = 15 * 60 * 1000;

export class LoginThrottle {
  private readonly failures = new Map<string, { count: number; until: number }>();

  // Milliseconds to wait before this address may try again (0 = now).
  retryInMs(email: string, now = Date.now()): number {
    const entry = this.failures.get(email.toLowerCase());
    return entry ? Math.max(0, entry.until - now) : 0;
  }

  // An attempt, counted as a failure before its password is checked (0 = go ahead):
  // a check that takes a while (argon2) cannot let concurrent guesses all through
  // before the first failure is on record. A success clears it. Refused attempts
  // (the wait, in ms) record nothing.
  attempt(email: string, now = Date.now()): number {
    const wait = this.retryInMs(email, now);
    if (wait === 0) this.recordFailure(email, now);
    return wait;
  }

  recordFailure(email: string, now = Date.now()) {
    const key = email.toLowerCase();
    const count = (this.failures.get(key)?.count ?? 0) + 1;
    const delay = count <= FREE_ATTEMPTS ? 0 : Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (count - FREE_ATTEMPTS - 1));
    this.failures.set(key, { count, until: now + delay });
    if (this.failures.size > 50_000) this.failures.delete(this.failures.keys().next().value!);
  }

  recordSuccess(email: string) {
    this.failures.delete(email.toLowerCase());
  }
}
