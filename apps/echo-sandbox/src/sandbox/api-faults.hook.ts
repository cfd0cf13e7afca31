import { setTimeout as sleep } from "node:timers/promises";
import { errorBody } from "@maestro/shared/errors";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { FaultState } from "./fault-state.ts";

// Injected faults for API answers: rate limit (429 + Retry-After), latency and
// a 5xx rate. Errors are injected before the request is processed, so a failed
// call never has a side effect.
export function createApiFaultsHook(faults: FaultState) {
  return async function injectApiFaults(
    _request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<FastifyReply | undefined> {
    const active = faults.get();
    const token = faults.takeRateLimitToken(Date.now());
    if (!token.ok) {
      return reply
        .code(429)
        .header("retry-after", String(token.retryAfterSeconds))
        .send(errorBody("rate_limited", "Rate limit exceeded (injected fault)"));
    }
    if (active.latencyMs) await sleep(active.latencyMs);
    if (faults.roll(active.errorRate)) {
      return reply
        .code(503)
        .header("retry-after", "1")
        .send(errorBody("internal_error", "Service unavailable (injected fault)"));
    }
    return undefined;
  };
}

// The skewed clock also shows in the Date header, which is how a client measures the offset.
export function createDateSkewHook(faults: FaultState) {
  return async function skewDateHeader(
    _request: FastifyRequest,
    reply: FastifyReply,
    payload: unknown,
  ): Promise<unknown> {
    const skew = faults.skewMs();
    if (skew !== 0) void reply.header("date", new Date(Date.now() + skew).toUTCString());
    return payload;
  };
}
