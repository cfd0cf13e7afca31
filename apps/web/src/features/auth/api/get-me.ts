import { meSchema, type Me } from "@maestro/shared/maestro.schema";
import { ApiError, apiRequest } from "../../../lib/api-client";

// null when there is no session.
export async function getMe(): Promise<Me | null> {
  try {
    return await apiRequest("/api/auth/me", { schema: meSchema, ignoreUnauthorized: true });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}
