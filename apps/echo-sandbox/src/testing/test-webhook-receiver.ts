import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { EchoWebhookPayload } from "@maestro/shared/integration.schema";
import { verifyWebhook } from "@maestro/shared/webhook-signature";

// A real HTTP webhook receiver on 127.0.0.1:0 that verifies every delivery with
// the Standard Webhooks algorithm and records it. `respond` decides the answer.

export type ReceivedDelivery = {
  webhookId: string;
  timestamp: number;
  verified: boolean;
  payload: EchoWebhookPayload;
  receivedAtMs: number;
  // 1-based count of requests seen so far for this webhook-id.
  attempt: number;
};

export type ReceiverAnswer = { status: number; headers?: Record<string, string>; delayMs?: number };

export type TestWebhookReceiver = {
  url: string;
  deliveries: ReceivedDelivery[];
  // Deliveries answered with 2xx.
  acknowledged(): ReceivedDelivery[];
  setResponder(respond: (delivery: ReceivedDelivery) => ReceiverAnswer): void;
  close(): Promise<void>;
};

export async function startTestWebhookReceiver(secret: string, path = "/hooks"): Promise<TestWebhookReceiver> {
  const deliveries: ReceivedDelivery[] = [];
  const answers = new Map<ReceivedDelivery, number>();
  const attempts = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  let respond: (delivery: ReceivedDelivery) => ReceiverAnswer = () => ({ status: 200 });

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const result = verifyWebhook([secret], req.headers, raw);
      const webhookId = String(req.headers["webhook-id"] ?? "");
      const attempt = (attempts.get(webhookId) ?? 0) + 1;
      attempts.set(webhookId, attempt);
      const delivery: ReceivedDelivery = {
        webhookId,
        timestamp: Number(req.headers["webhook-timestamp"]),
        verified: result.ok,
        payload: JSON.parse(raw.toString("utf8")) as EchoWebhookPayload,
        receivedAtMs: Date.now(),
        attempt,
      };
      deliveries.push(delivery);
      const answer = result.ok ? respond(delivery) : { status: 401 };
      answers.set(delivery, answer.status);
      const finish = () => {
        res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
        res.end(JSON.stringify({ ok: answer.status < 300 }));
      };
      if (answer.delayMs) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          finish();
        }, answer.delayMs);
        timers.add(timer);
      } else {
        finish();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    deliveries,
    acknowledged: () => deliveries.filter((d) => (answers.get(d) ?? 0) >= 200 && (answers.get(d) ?? 0) < 300),
    setResponder(next) {
      respond = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
