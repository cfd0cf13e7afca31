import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConflictPolicy } from "@maestro/shared/integration.schema";
import { settle, startSyncKit, waitFor, weddingEvent, type SyncKit } from "../testing/sync-test-kit.ts";

// The same field changed on both sides between syncs: Echo's webhook is dropped,
// so Maestro only learns of Echo's change when its own write gets a 412.
describe("conflicting edits under each policy", () => {
  let kit: SyncKit;
  beforeAll(async () => {
    kit = await startSyncKit();
  });
  afterAll(async () => kit.stop());

  async function signedEventWithBeo(name: string) {
    const created = await kit.echo("POST", "/v1/events", {
      ...weddingEvent,
      eventName: name,
      contractStatus: "signed",
    });
    const id = created.body.id as string;
    const beoId = await waitFor("BEO", async () => {
      const list = await kit.admin("GET", `/api/beos?echoEventId=${id}`);
      return list.body.data[0]?.id as string | undefined;
    });
    await settle(kit);
    return { id, beoId };
  }

  async function conflictOnGuaranteed(policy: ConflictPolicy, options: { skewMs?: number } = {}) {
    expect((await kit.admin("PATCH", "/api/echo-integration/config", { conflictResolution: policy })).status).toBe(200);
    const { id, beoId } = await signedEventWithBeo(`Conflict ${policy}${options.skewMs ? " skewed" : ""}`);
    await kit.echo("POST", "/_sandbox/faults", {
      dropRate: 1,
      ...(options.skewMs ? { clockSkewMs: options.skewMs } : {}),
    });
    // Let a health check measure Echo's clock.
    if (options.skewMs)
      await waitFor(
        "skew measured",
        async () =>
          Math.abs(
            (await kit.maestro.maestro.integration.runtime.get(kit.maestro.orgId))!.client.clockOffsetMs -
              options.skewMs!,
          ) < 5000,
      );
    expect((await kit.echo("PATCH", `/v1/events/${id}`, { guestCount: { guaranteed: 200 } })).status).toBe(200);
    // A person edits a little later; newest_wins must order changes across both clocks.
    await new Promise((r) => setTimeout(r, options.skewMs ? 1500 : 20));
    expect((await kit.admin("PATCH", `/api/beos/${beoId}`, { event: { guaranteed: 180 } })).status).toBe(200);
    await settle(kit);
    await kit.echo("POST", "/_sandbox/faults", {});
    const echo = (await kit.echo("GET", `/v1/events/${id}`)).body;
    const beo = (await kit.admin("GET", `/api/beos/${beoId}`)).body;
    const conflicts = (await kit.admin("GET", `/api/echo-integration/conflicts`)).body.data.filter(
      (c: any) => c.echoEventId === id,
    );
    return { id, beoId, echo, beo, conflicts };
  }

  it("echo_wins: Echo's value lands in Maestro and the overwritten value is on record", async () => {
    const r = await conflictOnGuaranteed("echo_wins");
    expect(r.beo.event.guaranteed).toBe(200);
    expect(r.echo.guestCount.guaranteed).toBe(200);
    expect(r.conflicts).toHaveLength(1);
    expect(r.conflicts[0]).toMatchObject({
      status: "resolved",
      fields: [{ field: "guaranteed", echoValue: 200, maestroValue: 180, baseValue: 150 }],
    });
  });

  it("maestro_wins: Maestro's value is written to Echo", async () => {
    const r = await conflictOnGuaranteed("maestro_wins");
    expect(r.beo.event.guaranteed).toBe(180);
    expect(r.echo.guestCount.guaranteed).toBe(180);
    expect(r.conflicts[0]).toMatchObject({
      status: "resolved",
      fields: [{ field: "guaranteed", echoValue: 200, maestroValue: 180 }],
    });
  });

  it("newest_wins: the later change wins", async () => {
    const r = await conflictOnGuaranteed("newest_wins");
    expect(r.beo.event.guaranteed).toBe(180);
    expect(r.echo.guestCount.guaranteed).toBe(180);
    expect(r.conflicts[0].resolution).toMatch(/newest_wins: maestro/);
  });

  it("newest_wins: a 10-minute fast Echo clock does not make Echo's older change win", async () => {
    const r = await conflictOnGuaranteed("newest_wins", { skewMs: 10 * 60 * 1000 });
    expect(r.beo.event.guaranteed).toBe(180);
    expect(r.echo.guestCount.guaranteed).toBe(180);
  });

  it("manual: freezes only the conflicting field, lets others flow, and a resolution makes both sides equal", async () => {
    const r = await conflictOnGuaranteed("manual");
    expect(r.beo.event.guaranteed).toBe(180);
    expect(r.echo.guestCount.guaranteed).toBe(200);
    const open = r.conflicts.find((c: any) => c.status === "open");
    expect(open.fields).toEqual([{ field: "guaranteed", baseValue: 150, echoValue: 200, maestroValue: 180 }]);
    expect(r.beo.frozenFields).toEqual(["event.guaranteed"]);
    // Frozen in Maestro until resolved…
    expect((await kit.admin("PATCH", `/api/beos/${r.beoId}`, { event: { guaranteed: 181 } })).status).toBe(409);
    // …while other fields keep flowing both ways.
    expect((await kit.admin("PATCH", `/api/beos/${r.beoId}`, { event: { room: "Harbor Terrace" } })).status).toBe(200);
    await kit.echo("PATCH", `/v1/events/${r.id}`, { eventName: "Renamed in Echo" });
    await settle(kit);
    await waitFor(
      "Echo rename",
      async () => (await kit.admin("GET", `/api/beos/${r.beoId}`)).body.header.eventName === "Renamed in Echo",
    );
    expect((await kit.echo("GET", `/v1/events/${r.id}`)).body.room).toBe("Harbor Terrace");
    expect((await kit.echo("GET", `/v1/events/${r.id}`)).body.guestCount.guaranteed).toBe(200);

    const sales = await kit.maestro.keys.sales;
    const forbidden = await fetch(`${kit.maestro.url}/api/echo-integration/conflicts/${open.id}/resolve`, {
      method: "POST",
      headers: { authorization: `Bearer ${sales}`, "content-type": "application/json" },
      body: JSON.stringify({ resolution: "maestro" }),
    });
    expect(forbidden.status).toBe(403);
    const resolved = await kit.admin("POST", `/api/echo-integration/conflicts/${open.id}/resolve`, {
      resolution: "maestro",
    });
    expect(resolved.status).toBe(200);
    expect(resolved.body.status).toBe("resolved");
    await settle(kit);
    expect((await kit.echo("GET", `/v1/events/${r.id}`)).body.guestCount.guaranteed).toBe(180);
    const beo = (await kit.admin("GET", `/api/beos/${r.beoId}`)).body;
    expect(beo.event.guaranteed).toBe(180);
    expect(beo.frozenFields).toEqual([]);
  });

  it("manual: a custom value is validated and then written to both sides", async () => {
    const r = await conflictOnGuaranteed("manual");
    const open = r.conflicts.find((c: any) => c.status === "open");
    const bad = await kit.admin("POST", `/api/echo-integration/conflicts/${open.id}/resolve`, {
      resolution: "custom",
      values: { guaranteed: "lots" },
    });
    expect(bad.status).toBe(400);
    const ok = await kit.admin("POST", `/api/echo-integration/conflicts/${open.id}/resolve`, {
      resolution: "custom",
      values: { guaranteed: 190 },
    });
    expect(ok.status).toBe(200);
    await settle(kit);
    expect((await kit.echo("GET", `/v1/events/${r.id}`)).body.guestCount.guaranteed).toBe(190);
    expect((await kit.admin("GET", `/api/beos/${r.beoId}`)).body.event.guaranteed).toBe(190);
    const again = await kit.admin("POST", `/api/echo-integration/conflicts/${open.id}/resolve`, { resolution: "echo" });
    expect(again.status).toBe(409);
  });

  it("records our own echoes and stale deliveries as skipped", async () => {
    const { id } = await signedEventWithBeo("Echo of our own write");
    const history = (await kit.admin("GET", `/api/echo-integration/history?echoEventId=${id}&limit=100`)).body.data;
    const skipped = history.filter((o: any) => o.status === "skipped" && o.direction === "echo_to_maestro");
    expect(skipped.some((o: any) => /already applied/.test(o.reason))).toBe(true);
  });
});
