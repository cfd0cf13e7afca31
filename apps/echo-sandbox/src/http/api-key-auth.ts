import { createHash, timingSafeEqual } from "node:crypto";
import { errorBody } from "@maestro/shared/errors";
import type { FastifyReply, FastifyRequest } from "fastify";

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

// `Authorization: Bearer <key>`, compared in constant time.
export function createApiKeyAuth(apiKey: string) {
  const expected = digest(apiKey);
  return async function requireApiKey(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const match = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? "");
    if (match?.[1] && timingSafeEqual(digest(match[1].trim()), expected)) return undefined;
    return reply
      .code(401)
      .header("www-authenticate", 'Bearer realm="echo-crm-sandbox"')
      .send(errorBody("unauthenticated", "Missing or invalid API key"));
  };
}
