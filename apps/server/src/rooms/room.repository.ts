import { newId } from "@maestro/shared/ids";
import type { Room } from "@maestro/shared/maestro.schema";
import type { Db } from "../db/schema.ts";

export class RoomRepository {
  constructor(private readonly db: Db) {}

  async list(orgId: string): Promise<Room[]> {
    const rows = await this.db.selectFrom("rooms").selectAll().where("orgId", "=", orgId).orderBy("name").execute();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      capacity: r.capacity,
      combinesWith: JSON.parse(r.combinesWith) as string[],
    }));
  }

  async create(orgId: string, room: { name: string; capacity: number; combinesWith: string[] }): Promise<Room> {
    const id = newId("room");
    await this.db
      .insertInto("rooms")
      .values({
        id,
        orgId,
        name: room.name,
        capacity: room.capacity,
        combinesWith: JSON.stringify(room.combinesWith),
        createdAt: new Date().toISOString(),
      })
      .execute();
    return { id, ...room };
  }

  async exists(orgId: string, name: string): Promise<boolean> {
    const row = await this.db
      .selectFrom("rooms")
      .select("id")
      .where("orgId", "=", orgId)
      .where("name", "=", name)
      .executeTakeFirst();
    return row !== undefined;
  }
}
