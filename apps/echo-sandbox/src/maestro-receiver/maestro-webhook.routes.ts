import { errorBody } from "@maestro/shared/errors";
import type { FastifyPluginAsync, onRequestHookHandler } from "fastify";
import type { MaestroWebhookService } from "./maestro-webhook.service.ts";

export const MAESTRO_WEBHOOK_BODY_LIMIT = 1024 * 1024;

// POST /api/echo-integration/webhooks/maestro. The body is taken raw (the
// signature covers the exact bytes) and only parsed after verification.
export function maestroWebhookRoutes(deps: {
  receiver: MaestroWebhookService;
  apiFaults: onRequestHookHandler;
}): FastifyPluginAsync {
  return async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser(
      "*",
      { parseAs: "buffer", bodyLimit: MAESTRO_WEBHOOK_BODY_LIMIT },
      (_request, body, done) => {
        done(null, body);
      },
    );
    app.addHook("onRequest", deps.apiFaults);

    app.post(
      "/api/echo-integration/webhooks/maestro",
      { bodyLimit: MAESTRO_WEBHOOK_BODY_LIMIT },
      async (request, reply) => {
        const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const result = deps.receiver.receive(request.headers, rawBody);
        if (!result.ok) {
          request.log.info({ code: result.code, details: result.details }, "maestro webhook rejected");
          return reply.code(result.statusCode).send(errorBody(result.code, result.message, result.details));
        }
        return reply.code(200).send({ received: true, duplicate: result.duplicate });
      },
    );
  };
}
