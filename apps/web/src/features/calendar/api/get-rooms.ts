import { roomSchema, type Room } from "@maestro/shared/maestro.schema";
import { z } from "zod";
import { apiRequest } from "../../../lib/api-client";
import { useApiQuery } from "../../../lib/use-api-query";

const roomListSchema = z.object({ data: z.array(roomSchema) });

export async function getRooms(signal?: AbortSignal): Promise<Room[]> {
  const page = await apiRequest("/api/rooms", { schema: roomListSchema, signal });
  return page.data;
}

export function useRooms() {
  return useApiQuery("rooms", getRooms);
}
