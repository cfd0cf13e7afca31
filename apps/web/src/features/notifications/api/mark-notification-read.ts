import { apiRequest } from "../../../lib/api-client";

export function markNotificationRead(id: string): Promise<unknown> {
  return apiRequest(`/api/notifications/${encodeURIComponent(id)}/read`, { method: "POST", body: {} });
}
