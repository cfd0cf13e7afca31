import type { FastifyInstance, FastifyRequest } from "fastify";
import { AppError } from "../http/errors.ts";
import type { AuthService } from "./auth.service.ts";

export const SESSION_COOKIE = "maestro_session";
const UNSAFE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header);
  return match?.[1]?.trim();
}

// Authenticates every /api route and enforces the route's declared roles.
// A route without a `roles` declaration is refused: access is opt-in, never by omission.
export function installAuthHook(app: FastifyInstance, auth: AuthService): void {
  app.addHook("preHandler", async (request) => {
    const roles = request.routeOptions.config?.roles;
    if (roles === "public") return;
    const url = request.routeOptions.url ?? "";
    if (!url.startsWith("/api/")) return;
    if (!roles) throw new AppError(403, "forbidden", "route has no access policy");

    const key = bearer(request);
    if (key !== undefined) {
      request.auth = await auth.authenticateApiKey(key);
      if (!request.auth) throw new AppError(401, "unauthenticated", "invalid API key");
    } else {
      const cookie = request.cookies[SESSION_COOKIE];
      if (cookie) request.auth = await auth.authenticateSession(cookie);
      if (!request.auth) throw new AppError(401, "unauthenticated", "sign in or send an API key");
      // Cookie sessions need the CSRF token on every state-changing request.
      if (UNSAFE_METHODS.has(request.method) && request.headers["x-csrf-token"] !== request.auth.csrfToken) {
        throw new AppError(403, "forbidden", "missing or wrong x-csrf-token header");
      }
    }
    if (!roles.includes(request.auth.role)) throw new AppError(403, "forbidden", "your role may not do this");
  });
}
