import { z } from "zod";
import { apiRequest } from "../../../lib/api-client";
import { useApiQuery } from "../../../lib/use-api-query";

// Server extension (not in CONTRACT §4): in-app notifications for ops, chef and sales.
const notificationSchema = z.object({
  id: z.string(),
  kind: z.string(),
  message: z.string(),
  link: z.string().nullable().optional(),
  createdAt: z.string(),
  readAt: z.string().nullable().optional(),
});
export type AppNotification = z.infer<typeof notificationSchema>;
const notificationListSchema = z.object({ data: z.array(notificationSchema), unread: z.number() });
export type NotificationList = { items: AppNotification[]; unread: number };

// The latest notifications, and how many of all the role's are unread.
export async function getNotifications(signal?: AbortSignal): Promise<NotificationList> {
  const page = await apiRequest("/api/notifications", { schema: notificationListSchema, signal });
  return { items: page.data, unread: page.unread };
}

export function useNotifications() {
  return useApiQuery("notifications", getNotifications, {
    live: ["notification"],
    debounceMs: 200,
    keepPrevious: true,
  });
}
