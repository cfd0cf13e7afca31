import { meSchema, type Me } from "@maestro/shared/maestro.schema";
import { apiRequest } from "../../../lib/api-client";

export function login(email: string, password: string): Promise<Me> {
  return apiRequest("/api/auth/login", {
    method: "POST",
    body: { email, password },
    schema: meSchema,
    ignoreUnauthorized: true,
  });
}
