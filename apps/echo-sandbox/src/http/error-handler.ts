import { errorBody } from "@maestro/shared/errors";
import type { FastifyError, FastifyInstance } from "fastify";
import { HttpError } from "./http-error.ts";

// Every error leaves as CONTRACT §3 JSON. Fastify's own errors (body too large,
// bad content type, malformed JSON) map to fitting codes; anything unexpected is
// logged and answered as a 500 without internals.
export function registerErrorHandlers(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send(errorBody("not_found", `No route for ${request.method} ${request.url.split("?")[0]}`));
  });

  app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    if (error instanceof HttpError) {
      void reply
        .headers(error.headers)
        .code(error.statusCode)
        .send(errorBody(error.code, error.message, error.details));
      return;
    }
    const status = error.statusCode ?? 500;
    if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE" || status === 413) {
      void reply.code(413).send(errorBody("payload_too_large", "Request body is too large"));
    } else if (error.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE" || status === 415) {
      void reply.code(415).send(errorBody("unsupported_media_type", "Send the body as application/json"));
    } else if (status >= 400 && status < 500) {
      const code =
        error instanceof SyntaxError || error.code?.startsWith("FST_ERR_CTP") ? "invalid_json" : "invalid_input";
      void reply.code(400).send(errorBody(code, error.message));
    } else {
      request.log.error({ err: error }, "unhandled error");
      void reply.code(500).send(errorBody("internal_error", "Internal error"));
    }
  });
}
