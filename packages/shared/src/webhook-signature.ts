import { createHmac, timingSafeEqual } from "node:crypto";

// Standard Webhooks (standardwebhooks.com), CONTRACT §6. Used by both senders
// and receivers in Maestro and the Echo sandbox.

export const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

export type SignatureHeaders = {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
};

export type VerifyResult =
  | { ok: true; id: string; timestamp: number }
  | { ok: false; reason: "missing_headers" | "bad_timestamp" | "timestamp_out_of_window" | "bad_signature" };

// `whsec_<base64>` decodes to the key bytes; any other string is used as UTF-8 bytes.
export function webhookSecretBytes(secret: string): Buffer {
  if (secret.startsWith("whsec_")) {
    const decoded = Buffer.from(secret.slice("whsec_".length), "base64");
    if (decoded.length > 0) return decoded;
  }
  return Buffer.from(secret, "utf8");
}

function hmac(key: Buffer, id: string, timestamp: string, body: Buffer | string): Buffer {
  const h = createHmac("sha256", key);
  h.update(`${id}.${timestamp}.`);
  h.update(body);
  return h.digest();
}

export function signWebhook(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: Buffer | string,
): SignatureHeaders {
  const ts = String(Math.floor(timestampSeconds));
  const sig = hmac(webhookSecretBytes(secret), id, ts, body).toString("base64");
  return { "webhook-id": id, "webhook-timestamp": ts, "webhook-signature": `v1,${sig}` };
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

// Verifies against one or more secrets (several during a rotation). Compares in
// constant time and never throws on hostile input.
export function verifyWebhook(
  secrets: readonly string[],
  headers: Record<string, string | string[] | undefined>,
  rawBody: Buffer,
  nowSeconds: number = Date.now() / 1000,
  toleranceSeconds: number = WEBHOOK_TOLERANCE_SECONDS,
): VerifyResult {
  const id = header(headers, "webhook-id");
  const ts = header(headers, "webhook-timestamp");
  const sigHeader = header(headers, "webhook-signature");
  if (!id || !ts || !sigHeader || id.length > 200 || sigHeader.length > 4096) {
    return { ok: false, reason: "missing_headers" };
  }
  if (!/^\d{1,12}$/.test(ts)) return { ok: false, reason: "bad_timestamp" };
  const timestamp = Number(ts);
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) {
    return { ok: false, reason: "timestamp_out_of_window" };
  }
  const candidates = sigHeader
    .split(" ")
    .map((part) => part.split(","))
    .filter((parts): parts is [string, string] => parts.length === 2 && parts[0] === "v1")
    .map(([, value]) => [value, Buffer.from(value, "base64")] as const)
    // Node decodes base64 leniently (trailing junk, missing padding, ignored low
    // bits): only the exact encoding counts, as in the Standard Webhooks libraries.
    .filter(([value, bytes]) => bytes.toString("base64") === value)
    .map(([, bytes]) => bytes);
  for (const secret of secrets) {
    const expected = hmac(webhookSecretBytes(secret), id, ts, rawBody);
    for (const candidate of candidates) {
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) {
        return { ok: true, id, timestamp };
      }
    }
  }
  return { ok: false, reason: "bad_signature" };
}
