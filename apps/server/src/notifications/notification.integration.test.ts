import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, startTestMaestro, type TestMaestro } from "../testing/test-server.ts";

describe("notifications", () => {
  let m: TestMaestro;
  beforeAll(async () => {
    m = await startTestMaestro();
  });
  afterAll(async () => m?.stop());

  const unread = async (key: string) =>
    ((await apiClient(m.url, key)("GET", "/api/notifications")).body.data as { message: string; readAt?: string }[])
      .filter((n) => !n.readAt)
      .map((n) => n.message)
      .sort();

  it("marks every unread notification a role sees as read, and only those", async () => {
    const repo = m.maestro.services.notifications;
    await repo.add(m.orgId, ["chef"], "beo.created", "For the kitchen", null);
    await repo.add(m.orgId, ["ops"], "beo.created", "For banquet managers", null);
    await repo.add(m.orgId, ["all"], "sync", "For everybody", null);
    await repo.addMany(
      m.orgId,
      Array.from({ length: 300 }, (_, i) => ({
        audience: ["chef" as const],
        kind: "beo.created",
        message: `BEO ${i}`,
        link: null,
      })),
    );

    const chef = apiClient(m.url, m.keys.chef);
    // The list shows the latest 50; the count is of all the unread ones.
    const listed = (await chef("GET", "/api/notifications")).body;
    expect(listed.data).toHaveLength(50);
    expect(listed.unread).toBe(302);
    const marked = await chef("POST", "/api/notifications/read-all", {});
    expect(marked).toMatchObject({ status: 200, body: { marked: 302 } });
    expect(await unread(m.keys.chef)).toEqual([]);
    expect((await chef("GET", "/api/notifications")).body.unread).toBe(0);
    // Nothing of another role's: ops still has its own unread.
    expect(await unread(m.keys.ops)).toEqual(["For banquet managers"]);
    // Again: nothing left to mark.
    expect((await chef("POST", "/api/notifications/read-all")).body).toEqual({ marked: 0 });

    // An admin sees the ops notifications too, and marks them.
    expect((await apiClient(m.url, m.adminKey)("POST", "/api/notifications/read-all", {})).body).toEqual({ marked: 1 });
    expect(await unread(m.keys.ops)).toEqual([]);
  });

  it("refuses a body it does not understand, and marks nothing", async () => {
    await m.maestro.services.notifications.add(m.orgId, ["sales"], "beo.approved", "For sales", null);
    const res = await apiClient(m.url, m.keys.sales)("POST", "/api/notifications/read-all", { ids: ["x"] });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_input");
    expect(await unread(m.keys.sales)).toEqual(["For sales"]);
  });

  it("keeps organizations apart", async () => {
    const other = await m.maestro.services.orgs.ensure("elsewhere", "Elsewhere Venue");
    await m.maestro.services.notifications.add(other.id, ["chef"], "beo.created", "Another venue's kitchen", null);
    await apiClient(m.url, m.keys.chef)("POST", "/api/notifications/read-all", {});
    const theirs = await m.maestro.database.db
      .selectFrom("notifications")
      .select("readAt")
      .where("orgId", "=", other.id)
      .executeTakeFirstOrThrow();
    expect(theirs.readAt).toBeNull();
  });
});
