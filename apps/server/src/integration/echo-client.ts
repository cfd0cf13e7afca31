import dns from "node:dns";
import type { LookupFunction } from "node:net";
import {
  ConsecutiveBreaker,
  CircuitState,
  ExponentialBackoff,
  circuitBreaker,
  handleWhen,
  isBrokenCircuitError,
  retry,
  type CircuitBreakerPolicy,
  type RetryPolicy,
} from "cockatiel";
import { Agent, request, type Dispatcher } from "undici";
import {
  echoEventPageSchema,
  echoEventSchema,
  webhookEndpointSchema,
  type EchoCRMEvent,
  type EchoEventPatch,
  type EchoEventPage,
  type WebhookEndpoint,
} from "@maestro/shared/echo-event.schema";
import type { z } from "zod";
import type { Metrics } from "../observability/metrics.ts";
import { checkOutboundUrl, isAllowedHost, isForbiddenAddress, OutboundRefused } from "./ssrf-guard.ts";

const MAX_RESPONSE_BYTES = 5 * 1024 * 1024;

// After three failures in a row no request goes to Echo for this long; then one
// goes through to try (and the circuit closes if it succeeds).
export const CIRCUIT_HALF_OPEN_MS = 5_000;

export type EchoErrorKind = "network" | "timeout" | "http" | "invalid_response" | "refused" | "circuit_open";

export class EchoError extends Error {
  constructor(
    message: string,
    readonly kind: EchoErrorKind,
    readonly status?: number,
    readonly retryAfterMs?: number,
    readonly body?: unknown,
  ) {
    super(message);
  }
  // Worth another attempt later: the network, Echo's overload, or its 5xx.
  get retryable(): boolean {
    if (this.kind === "network" || this.kind === "timeout" || this.kind === "circuit_open") return true;
    return this.kind === "http" && (this.status === 429 || (this.status ?? 0) >= 500);
  }
}

export type EchoClientOptions = {
  baseUrl: string;
  apiKey: string;
  allowedHosts: readonly string[];
  metrics?: Metrics;
  timeoutMs?: number;
};

// Refuses, at connect time, addresses the pre-flight check would refuse: a DNS
// answer that changed between the check and the connection (rebinding) gains nothing.
function guardedLookup(allowedHosts: readonly string[], port: string): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, "", 0);
      const list = addresses as dns.LookupAddress[];
      const allowed = allowedHosts.includes(`${hostname.toLowerCase()}:${port}`);
      const usable = allowed ? list : list.filter((a) => !isForbiddenAddress(a.address));
      if (usable.length === 0)
        return callback(new Error(`refused to connect to ${hostname}: forbidden address`), "", 0);
      if ((options as { all?: boolean }).all)
        return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, usable);
      callback(null, usable[0]!.address, usable[0]!.family);
    });
  };
}

// The Echo CRM Events API v1 (CONTRACT §5): timeouts, a circuit breaker, no
// redirects, bounded responses, and the SSRF guard on every call.
export class EchoClient {
  readonly breaker: CircuitBreakerPolicy;
  // Reads are idempotent: a blip is retried at once; writes are retried by the job queue.
  private readonly readRetry: RetryPolicy;
  private readonly agent: Dispatcher;
  private readonly base: URL;
  private lastLatencyMs: number | null = null;
  // Echo's clock minus ours, measured from `Date` headers (ms).
  clockOffsetMs = 0;

  constructor(private readonly options: EchoClientOptions) {
    this.base = new URL(options.baseUrl.replace(/\/+$/, "") + "/");
    const port = this.base.port || (this.base.protocol === "https:" ? "443" : "80");
    this.agent = new Agent({
      connect: { lookup: guardedLookup(options.allowedHosts, port), timeout: options.timeoutMs ?? 5000 },
      headersTimeout: options.timeoutMs ?? 5000,
      bodyTimeout: options.timeoutMs ?? 5000,
    });
    this.breaker = circuitBreaker(
      handleWhen((err) => err instanceof EchoError && err.retryable),
      { halfOpenAfter: CIRCUIT_HALF_OPEN_MS, breaker: new ConsecutiveBreaker(3) },
    );
    this.readRetry = retry(
      handleWhen(
        (err) => err instanceof EchoError && err.retryable && err.kind !== "circuit_open" && err.status !== 429,
      ),
      { maxAttempts: 2, backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 500 }) },
    );
  }

  get latencyMs() {
    return this.lastLatencyMs;
  }

  get circuitOpen() {
    return this.breaker.state === CircuitState.Open;
  }

  async close() {
    await this.agent.close();
  }

  health(): Promise<unknown> {
    return this.call("GET", "health", undefined, undefined, "health");
  }

  async listEvents(params: { updatedSince?: string; cursor?: string; limit?: number }): Promise<EchoEventPage> {
    const q = new URLSearchParams();
    if (params.updatedSince) q.set("updatedSince", params.updatedSince);
    if (params.cursor) q.set("cursor", params.cursor);
    q.set("limit", String(params.limit ?? 200));
    return this.call("GET", `events?${q}`, undefined, echoEventPageSchema, "list");
  }

  getEvent(id: string): Promise<EchoCRMEvent> {
    return this.call("GET", `events/${encodeURIComponent(id)}`, undefined, echoEventSchema, "get");
  }

  patchEvent(id: string, patch: EchoEventPatch & Record<string, unknown>, ifMatch: number): Promise<EchoCRMEvent> {
    return this.call("PATCH", `events/${encodeURIComponent(id)}`, patch, echoEventSchema, "patch", {
      "if-match": String(ifMatch),
    });
  }

  createWebhookEndpoint(body: { url: string; secret: string }): Promise<WebhookEndpoint> {
    return this.call("POST", "webhook-endpoints", body, webhookEndpointSchema, "endpoint");
  }

  async deleteWebhookEndpoint(id: string): Promise<void> {
    await this.call("DELETE", `webhook-endpoints/${encodeURIComponent(id)}`, undefined, undefined, "endpoint").catch(
      (err) => {
        if (!(err instanceof EchoError && err.status === 404)) throw err;
      },
    );
  }

  // Delivers a signed Maestro webhook to Echo's receiver.
  async postWebhook(path: string, rawBody: string, headers: Record<string, string>): Promise<void> {
    // An absolute path: Echo's receiver lives beside its API, not under /v1.
    await this.call("POST", path.startsWith("/") ? path : `/${path}`, rawBody, undefined, "webhook", headers);
  }

  private async call<S extends z.ZodType>(
    method: "GET" | "POST" | "PATCH" | "DELETE",
    path: string,
    body: unknown,
    schema: S | undefined,
    label: string,
    headers: Record<string, string> = {},
  ): Promise<z.output<S>> {
    try {
      const once = () => this.breaker.execute(() => this.send(method, path, body, schema, label, headers));
      return method === "GET" && label !== "health" ? await this.readRetry.execute(once) : await once();
    } catch (err) {
      if (err instanceof EchoError) throw err;
      if (isBrokenCircuitError(err)) {
        throw new EchoError("Echo is unreachable (circuit open after repeated failures)", "circuit_open");
      }
      throw err;
    }
  }

  private async send<S extends z.ZodType>(
    method: string,
    path: string,
    body: unknown,
    schema: S | undefined,
    label: string,
    headers: Record<string, string>,
  ): Promise<z.output<S>> {
    const url = new URL(path, this.base);
    try {
      await checkOutboundUrl(url.toString(), this.options.allowedHosts);
    } catch (err) {
      if (err instanceof OutboundRefused) throw new EchoError(err.message, "refused");
      throw err;
    }
    const started = performance.now();
    const sentAt = Date.now();
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, {
        method: method as Dispatcher.HttpMethod,
        dispatcher: this.agent,
        headers: {
          authorization: `Bearer ${this.options.apiKey}`,
          accept: "application/json",
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
      });
    } catch (err) {
      const timeout = err instanceof Error && /timeout/i.test(err.name + err.message);
      this.options.metrics?.echoApiErrors.inc({ kind: timeout ? "timeout" : "network" });
      this.observe(method, started, "error");
      throw new EchoError(`Echo ${label} request failed: ${(err as Error).message}`, timeout ? "timeout" : "network");
    }
    this.lastLatencyMs = Math.round(performance.now() - started);
    this.measureClock(res.headers["date"], sentAt);
    const text = await readBounded(res.body);
    this.observe(method, started, String(res.statusCode));
    if (res.statusCode >= 300) {
      const retryAfter = parseRetryAfter(res.headers["retry-after"]);
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // keep the text
      }
      this.options.metrics?.echoApiErrors.inc({ kind: `http_${res.statusCode}` });
      const message = (parsed as { error?: { message?: string } })?.error?.message ?? `HTTP ${res.statusCode}`;
      throw new EchoError(
        `Echo answered ${res.statusCode} to ${label}: ${message}`,
        "http",
        res.statusCode,
        retryAfter,
        parsed,
      );
    }
    if (!schema) return undefined as z.output<S>;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new EchoError(`Echo's ${label} answer is not JSON`, "invalid_response");
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success)
      throw new EchoError(`Echo's ${label} answer does not match the API: ${parsed.error.message}`, "invalid_response");
    return parsed.data;
  }

  private observe(method: string, started: number, outcome: string) {
    this.options.metrics?.echoApiSeconds.observe({ method, outcome }, (performance.now() - started) / 1000);
  }

  // Each answer bounds Echo's clock: its `Date` (one-second resolution) was
  // taken between our send and receive. Intersecting the bounds of successive
  // answers narrows the offset well below a second; bounds that no longer meet
  // mean Echo's clock moved, so the estimate starts again.
  private offsetBounds: [number, number] | null = null;

  private measureClock(dateHeader: string | string[] | undefined, sentAt: number) {
    const value = Array.isArray(dateHeader) ? dateHeader[0] : dateHeader;
    if (!value) return;
    const echoDate = Date.parse(value);
    if (Number.isNaN(echoDate)) return;
    const receivedAt = Date.now();
    const low = echoDate - receivedAt;
    const high = echoDate + 1000 - sentAt;
    const current = this.offsetBounds;
    const merged: [number, number] | null = current
      ? [Math.max(current[0], low), Math.min(current[1], high)]
      : [low, high];
    this.offsetBounds = merged && merged[0] <= merged[1] ? merged : [low, high];
    const [lo, hi] = this.offsetBounds;
    const estimate = (lo + hi) / 2;
    // Within the uncertainty of a well-synchronised clock: treat as no skew.
    this.clockOffsetMs = lo <= 0 && hi >= 0 ? 0 : estimate;
  }
}

async function readBounded(body: Dispatcher.ResponseData["body"]): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > MAX_RESPONSE_BYTES) {
      body.destroy();
      throw new EchoError("Echo's answer exceeds the size limit", "invalid_response");
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export function parseRetryAfter(value: string | string[] | undefined): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

export { isAllowedHost };
