import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/test-database.ts";
import { inChunks, insertRows, MAX_BOUND_PARAMETERS } from "./batches.ts";
import { openDatabase, type DatabaseHandle } from "./database.ts";

describe("insertRows", () => {
  let store: TestDatabase;
  let database: DatabaseHandle;
  beforeAll(async () => {
    store = await createTestDatabase();
    database = await openDatabase({
      dataDir: store.dataDir,
      ...(store.databaseUrl ? { databaseUrl: store.databaseUrl } : {}),
      ...(store.schema ? { schema: store.schema } : {}),
    });
  });
  afterAll(async () => {
    await database?.close();
    await store?.drop();
  });

  const notification = (n: number, batch: string) => ({
    id: `ntf_${batch}_${String(n).padStart(6, "0")}`,
    orgId: "org_batches",
    audience: n % 2 ? "ops" : "chef",
    kind: "test",
    message: `message ${n} of ${batch}: "quoted", ünïcode`,
    link: n % 3 ? `/beos/${n}` : null,
    createdAt: "2026-01-01T00:00:00.000Z",
    readAt: null,
  });
  const stored = (batch: string) =>
    database.db.selectFrom("notifications").selectAll().where("id", "like", `ntf_${batch}_%`).orderBy("id").execute();

  it("splits rows into statements under the bound-parameter limit", () => {
    const chunks = [
      ...inChunks(
        Array.from({ length: 10_001 }, (_, i) => i),
        8,
      ),
    ];
    expect(chunks.map((c) => c.length)).toEqual([3750, 3750, 2501]);
    expect(chunks.every((c) => c.length * 8 <= MAX_BOUND_PARAMETERS)).toBe(true);
    expect(chunks.flat()).toEqual(Array.from({ length: 10_001 }, (_, i) => i));
  });

  it("stores every row as given, over several statements and again with the same shape", async () => {
    const rows = Array.from({ length: 4000 }, (_, i) => notification(i, "a"));
    await insertRows(database.db, "notifications", rows);
    const again = Array.from({ length: 4000 }, (_, i) => notification(i, "b"));
    await insertRows(database.db, "notifications", again);
    expect(await stored("a")).toEqual(rows);
    expect(await stored("b")).toEqual(again);
  });

  it("lets Kysely compile rows with a value left undefined or with other keys", async () => {
    const { readAt: _readAt, ...withoutReadAt } = notification(1, "c");
    await insertRows(database.db, "notifications", [{ ...notification(0, "c"), readAt: undefined }, withoutReadAt]);
    await insertRows(database.db, "notifications", [
      notification(2, "c"),
      { ...notification(3, "c"), readAt: "2026-01-02T00:00:00.000Z" },
    ]);
    expect((await stored("c")).map((r) => [r.id, r.readAt])).toEqual([
      ["ntf_c_000000", null],
      ["ntf_c_000001", null],
      ["ntf_c_000002", null],
      ["ntf_c_000003", "2026-01-02T00:00:00.000Z"],
    ]);
  });

  it("stores text JSON cannot carry (a lone surrogate) as a plain insert does", async () => {
    const odd = { ...notification(0, "d"), message: "half a pair: \ud83d, and a literal \\ud83d" };
    await insertRows(database.db, "notifications", [odd, notification(1, "d")]);
    await database.db
      .insertInto("notifications")
      .values({ ...odd, id: "ntf_e_000000" })
      .execute();
    const [viaBatch] = await stored("d");
    const [viaKysely] = await stored("e");
    expect(viaBatch!.message).toBe(viaKysely!.message);
    expect(viaBatch!.message).toMatch(/^half a pair: .+, and a literal \\ud83d$/);
    expect(await stored("d")).toHaveLength(2);
  });
});
