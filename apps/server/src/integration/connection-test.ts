import { EchoClient, EchoError } from "./echo-client.ts";
import { checkOutboundUrl, OutboundRefused } from "./ssrf-guard.ts";
import type { Metrics } from "../observability/metrics.ts";
import { AppError } from "../http/errors.ts";

// Before anything is stored: is this URL allowed, and does an Echo API answer
// there with this key? Each failure gets a message an administrator can act on.
export async function testEchoConnection(
  url: string,
  apiKey: string,
  allowedHosts: readonly string[],
  metrics: Metrics,
): Promise<{ latencyMs: number | null }> {
  try {
    await checkOutboundUrl(url, allowedHosts);
  } catch (err) {
    if (err instanceof OutboundRefused)
      throw new AppError(400, "invalid_input", `echoCrmApiUrl refused: ${err.message}`, [
        { path: "echoCrmApiUrl", message: err.message },
      ]);
    throw err;
  }
  const client = new EchoClient({ baseUrl: url, apiKey, allowedHosts, metrics, timeoutMs: 5000 });
  try {
    await client.listEvents({ limit: 1 });
    return { latencyMs: client.latencyMs };
  } catch (err) {
    throw new AppError(400, "echo_unreachable", describe(err, url), [
      { path: describePath(err), message: describe(err, url) },
    ]);
  } finally {
    await client.close();
  }
}

function describePath(err: unknown) {
  return err instanceof EchoError && (err.status === 401 || err.status === 403) ? "echoCrmApiKey" : "echoCrmApiUrl";
}

function describe(err: unknown, url: string): string {
  if (!(err instanceof EchoError)) return `connection test failed: ${(err as Error).message}`;
  const m = err.message;
  if (err.status === 401 || err.status === 403) return "Echo rejected the API key (check echoCrmApiKey)";
  if (err.status === 404) return `no Echo API v1 at ${url}: check echoCrmApiUrl (it should end in /v1)`;
  if (err.kind === "http") return `Echo answered HTTP ${err.status}: ${m}`;
  if (err.kind === "invalid_response") return `${url} answered, but not like the Echo API v1: check echoCrmApiUrl`;
  if (err.kind === "timeout") return `Echo did not answer within 5 s at ${url}`;
  if (/certificate|tls|ssl|self[- ]signed/i.test(m))
    return `TLS error talking to ${url}: ${m.replace(/^.*?failed: /, "")}`;
  if (/ECONNREFUSED/.test(m)) return `cannot reach ${url}: connection refused (is Echo running, is the port right?)`;
  if (/ENOTFOUND|EAI_AGAIN/.test(m)) return `cannot resolve the host of ${url}`;
  if (err.kind === "refused") return m;
  return `cannot reach ${url}: ${m.replace(/^.*?failed: /, "")}`;
}
