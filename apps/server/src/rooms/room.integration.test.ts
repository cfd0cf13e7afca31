import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, startTestMaestro, type TestMaestro } from "../testing/test-server.ts";

describe("rooms", () => {
  let m: TestMaestro;
  let admin: ReturnType<typeof apiClient>;
  beforeAll(async () => {
    m = await startTestMaestro();
    admin = apiClient(m.url, m.adminKey);
  });
  afterAll(async () => m.stop());

  it("creates a room and refuses a second one of the same name with 409 conflict", async () => {
    const first = await admin("POST", "/api/rooms", { name: "Terrace", capacity: 80, combinesWith: [] });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ name: "Terrace", capacity: 80, combinesWith: [] });
    const again = await admin("POST", "/api/rooms", { name: "Terrace", capacity: 10, combinesWith: [] });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("conflict");
    expect(again.body.error.message).toContain("Terrace");
    const list = await admin("GET", "/api/rooms");
    expect(list.body.data.filter((r: any) => r.name === "Terrace")).toEqual([first.body]);
  });

  // Each round races 20 creates of one new name. A check for the name before the
  // insert let several past it on PostgreSQL, and their inserts met the unique
  // constraint as 500s: every loser must read as the 409 of an existing name.
  it("answers parallel creates of one name with exactly one 201 and 409 for every other, never 500", async () => {
    for (let round = 1; round <= 5; round++) {
      const name = `Race ${round}`;
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => admin("POST", "/api/rooms", { name, capacity: 10 + i, combinesWith: [] })),
      );
      const statuses = results.map((r) => r.status);
      expect(
        statuses.filter((s) => s !== 201 && s !== 409),
        name,
      ).toEqual([]);
      expect(
        statuses.filter((s) => s === 201),
        name,
      ).toHaveLength(1);
      for (const lost of results.filter((r) => r.status === 409)) {
        expect(lost.body.error.code).toBe("conflict");
        expect(lost.body.error.message).toBe(`a room named "${name}" exists`);
      }
      const won = results.find((r) => r.status === 201)!;
      const list = await admin("GET", "/api/rooms");
      expect(list.body.data.filter((r: any) => r.name === name)).toEqual([won.body]);
    }
  });
});
