import { signWebhook } from "@maestro/shared/webhook-signature";
import { Agent, request } from "undici";

export type SendResult =
  { kind: "response"; statusCode: number; retryAfter: string | undefined } | { kind: "error"; error: string };

export type WebhookSender = {
  send(input: {
    url: string;
    secret: string;
    webhookId: string;
    body: string;
    signal: AbortSignal;
  }): Promise<SendResult>;
  close(): Promise<void>;
};

// POSTs one signed webhook. Never follows redirects (undici's request does not
// without a redirect interceptor): a 3xx is simply a failed attempt.
export function createWebhookSender(timeoutMs: number, now: () => number = Date.now): WebhookSender {
  const agent = new Agent({ connect: { timeout: timeoutMs }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  return {
    async send({ url, secret, webhookId, body, signal }) {
      const headers = signWebhook(secret, webhookId, now() / 1000, body);
      try {
        const response = await request(url, {
          method: "POST",
          dispatcher: agent,
          headers: { ...headers, "content-type": "application/json", "user-agent": "echo-crm-sandbox-webhooks/1" },
          body,
          signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
        });
        await response.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
        const retryAfter = response.headers["retry-after"];
        return {
          kind: "response",
          statusCode: response.statusCode,
          retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
        };
      } catch (error) {
        return { kind: "error", error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
      }
    },
    async close() {
      await agent.close();
    },
  };
}
