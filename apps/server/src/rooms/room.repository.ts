import { newId } from "@maestro/shared/ids";
import type { Room } from "@maestro/shared/maestro.schema";
import { isUniqueViolation } from "../db/batches.ts";
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

  // The new room, or undefined when the organization already has a room of that
  // name. The unique constraint (rooms_org_name_unique) decides, not a prior
  // read: of concurrent creates of one name exactly one inserts.
  async create(
    orgId: string,
    room: { name: string; capacity: number; combinesWith: string[] },
  ): Promise<Room | undefined> {
    const id = newId("room");
    try {
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
    } catch (err) {
      if (isUniqueViolation(err)) return undefined;
      throw err;
    }
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
