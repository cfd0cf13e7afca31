import type { IncomingMessage, ServerResponse } from "node:http";
import { errorBody } from "@maestro/shared/errors";
import proxyAddr from "@fastify/proxy-addr";
import type { Logger } from "pino";
import { trustedProxies, type TrustProxy } from "../config/env.ts";
import type { Metrics } from "../observability/metrics.ts";
import { WEBHOOK_BODY_LIMIT, type EchoWebhookReceiver } from "./echo-webhook.routes.ts";
import { MAESTRO_WEBHOOK_RECEIVER_PATH } from "./integration.service.ts";

const ROUTE = MAESTRO_WEBHOOK_RECEIVER_PATH;
// What every answer of the lane carries (an API answer: JSON, never sniffed, never cached).
const BASE_HEADERS = {
  "content-type": "application/json; charset=utf-8",
  "x-content-type-options": "nosniff",
  "cache-control": "no-store",
} as const;

export type FastLaneDeps = {
  receive: EchoWebhookReceiver;
  metrics: Metrics;
  logger: Logger;
  trustProxy: TrustProxy;
  // Fastify's security headers, once known (added to every answer).
  securityHeaders: () => readonly [string, string | number | string[]][] | undefined;
};

// The webhook receiver straight on node:http, ahead of Fastify's request cycle
// (routing, hooks, cookies, rate limiting, per-request child loggers): Echo's
// deliveries are the one high-volume request, and they need none of it. The
// logic (verification, validation, the inbox) is the same receiver the Fastify
// route calls. Returns false for every other request, which Fastify then serves.
export function createWebhookFastLane(deps: FastLaneDeps) {
  let served = 0;
  const trust = trustedProxies(deps.trustProxy);
  // The answer's fixed headers as one flat list (security + base), rebuilt only when
  // the security headers become known: setting them one by one costs more than the rest of an answer.
  let fixedFrom: ReturnType<FastLaneDeps["securityHeaders"]> | null = null;
  let fixed: (string | number | string[])[] = [];
  const fixedHeaders = () => {
    const security = deps.securityHeaders();
    if (security !== fixedFrom) {
      fixedFrom = security;
      const names = new Set(Object.keys(BASE_HEADERS));
      fixed = [
        ...(security ?? []).filter(([name]) => !names.has(name.toLowerCase())).flat(),
        ...Object.entries(BASE_HEADERS).flat(),
      ];
    }
    return fixed;
  };

  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = req.url ?? "";
    if (req.method !== "POST" || !url.startsWith(ROUTE)) return false;
    const rest = url.slice(ROUTE.length);
    if (rest !== "" && !rest.startsWith("?")) return false;
    void serve(req, res, rest.slice(1), ++served);
    return true;
  };

  async function serve(req: IncomingMessage, res: ServerResponse, query: string, n: number) {
    const log = deps.logger.isLevelEnabled("info") ? deps.logger.child({ reqId: `wh-${n}` }) : deps.logger;
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      deps.metrics.httpRequests.inc({ method: "POST", route: ROUTE, status });
      if (res.headersSent || res.destroyed) return;
      const text = JSON.stringify(body);
      const own = Object.keys(headers);
      res.writeHead(status, [
        // An answer's own header replaces a fixed one of the same name.
        ...(own.length === 0 ? fixedHeaders() : withoutNames(fixedHeaders(), own)),
        ...Object.entries(headers).flat(),
        "content-length",
        String(Buffer.byteLength(text)),
      ]);
      res.end(text);
    };
    try {
      const declared = Number(req.headers["content-length"] ?? 0);
      if (declared > WEBHOOK_BODY_LIMIT) {
        req.resume();
        return send(413, errorBody("payload_too_large", "request body is too large"), { connection: "close" });
      }
      const raw = await readBody(req);
      if (raw === undefined)
        return send(413, errorBody("payload_too_large", "request body is too large"), { connection: "close" });
      const org = orgParam(query);
      const answer = await deps.receive({
        headers: req.headers,
        raw,
        org,
        ip: trust ? proxyAddr(req, trust) : (req.socket.remoteAddress ?? "unknown"),
        log,
      });
      send(answer.status, answer.body, answer.headers);
    } catch (err) {
      // The delivery is not acknowledged: Echo sends it again later.
      log.error({ err }, "webhook delivery could not be stored");
      send(503, errorBody("internal_error", "the delivery could not be stored; retry later"), { "retry-after": "5" });
    }
  }
}

// The body, or undefined past the limit (the rest is drained, not buffered).
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > WEBHOOK_BODY_LIMIT) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    let ended = false;
    req.on("end", () => {
      ended = true;
      resolve(tooLarge ? undefined : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    req.on("error", reject);
    req.on("close", () => {
      if (!ended) reject(new Error("the client closed the connection before the body was complete"));
    });
  });
}

// `org` when the query names it exactly once (as Fastify's parser would give a string).
function orgParam(query: string): string | undefined {
  if (!query) return undefined;
  const values = new URLSearchParams(query).getAll("org");
  return values.length === 1 ? values[0] : undefined;
}

// A flat [name, value, …] list without the given header names.
function withoutNames(flat: readonly (string | number | string[])[], names: readonly string[]) {
  const drop = new Set(names.map((n) => n.toLowerCase()));
  const kept: (string | number | string[])[] = [];
  for (let i = 0; i < flat.length; i += 2)
    if (!drop.has(String(flat[i]).toLowerCase())) kept.push(flat[i]!, flat[i + 1]!);
  return kept;
}
