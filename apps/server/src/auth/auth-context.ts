import type { Role } from "@maestro/shared/maestro.schema";

export type AuthContext = {
  orgId: string;
  role: Role;
  // Who acts, as written into change logs and the audit log.
  actor: string;
  userId?: string;
  apiKeyId?: string;
  via: "session" | "api_key";
  sessionId?: string;
  csrfToken?: string;
};

declare module "fastify" {
  interface FastifyRequest {
    auth?: AuthContext;
  }
  interface FastifyContextConfig {
    // Roles allowed on the route; "public" routes authenticate by other means (or not at all).
    roles?: readonly Role[] | "public";
  }
}

export function requireAuth(auth: AuthContext | undefined): AuthContext {
  if (!auth) throw new Error("route reached without authentication");
  return auth;
}
