import type { FastifyError, FastifyInstance } from "fastify";
import { errorBody, type ErrorCode } from "@maestro/shared/errors";
import { SecretBoxError } from "../crypto/secret-box.ts";
import { AppError } from "./errors.ts";

const codeByStatus: Record<number, ErrorCode> = {
  400: "invalid_input",
  401: "unauthenticated",
  403: "forbidden",
  404: "not_found",
  409: "conflict",
  412: "version_mismatch",
  413: "payload_too_large",
  415: "unsupported_media_type",
  429: "rate_limited",
};

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError | Error, request, reply) => {
    if (error instanceof AppError) {
      if (error.headers) void reply.headers(error.headers);
      return reply.status(error.statusCode).send(errorBody(error.code, error.message, error.details));
    }
    if (error instanceof SecretBoxError) {
      // A stored secret that cannot be decrypted (tampered with, or the wrong key): say so, loudly.
      request.log.error({ err: error }, "stored integration secret cannot be decrypted");
      return reply
        .status(500)
        .send(
          errorBody(
            "internal_error",
            `the stored integration secrets cannot be decrypted: ${error.message}; check MAESTRO_SECRET_KEY (and MAESTRO_PREVIOUS_SECRET_KEYS) or initialize the integration again`,
          ),
        );
    }
    const status = "statusCode" in error && typeof error.statusCode === "number" ? error.statusCode : 500;
    // @fastify/rate-limit throws the body its errorResponseBuilder made (errorBody(...)), not an Error: send that body.
    const built = (error as { error?: { code?: unknown; message?: unknown } }).error;
    if (status >= 400 && status < 500 && typeof built?.code === "string" && typeof built.message === "string") {
      return reply.status(status).send(errorBody(built.code as ErrorCode, built.message));
    }
    if (status >= 400 && status < 500) {
      const fe = error as FastifyError;
      let code = codeByStatus[status] ?? "invalid_input";
      let message = error.message;
      if (fe.code === "FST_ERR_CTP_INVALID_JSON_BODY" || error instanceof SyntaxError || /JSON/i.test(fe.code ?? "")) {
        code = "invalid_json";
        message = "request body is not valid JSON";
      } else if (status === 413) {
        message = "request body is too large";
      } else if (status === 415) {
        message = "unsupported content type: send application/json";
      }
      return reply.status(status).send(errorBody(code, message));
    }
    request.log.error({ err: error }, "unhandled error");
    return reply.status(500).send(errorBody("internal_error", "internal error"));
  });
}
