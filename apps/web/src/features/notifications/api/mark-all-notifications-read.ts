import { z } from "zod";
import { apiRequest } from "../../../lib/api-client";

const markedSchema = z.object({ marked: z.number() });

// Every notification the signed-in role sees, marked read. Resolves to how many were unread.
export async function markAllNotificationsRead(): Promise<number> {
  const result = await apiRequest("/api/notifications/read-all", { method: "POST", body: {}, schema: markedSchema });
  return result.marked;
}
