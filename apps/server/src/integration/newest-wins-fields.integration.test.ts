import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSignedEchoEvent } from "../testing/security-test-helpers.ts";
import { settle, startSyncKit, waitFor, type SyncKit } from "../testing/sync-test-kit.ts";

// newest_wins compares change times field by field (DESIGN.md): a later Echo
// change of another field must not make Echo's older change of this one look new.
describe("newest_wins, field by field", () => {
  let kit: SyncKit;
  beforeAll(async () => {
    kit = await startSyncKit({ policy: "newest_wins" });
  });
  afterAll(async () => kit?.stop());

  const delivered = () =>
    waitFor("Echo's deliveries", async () => (await kit.echo("GET", "/_sandbox/queue")).body.pending === 0);

  it("keeps Maestro's newer count when Echo's version is newer only because of another field", async () => {
    const event = await createSignedEchoEvent(kit, { eventName: "Field by field" });
    await settle(kit);
    const worker = kit.maestro.maestro.integration.worker!;
    // Deliveries are stored but not merged yet, as under a burst.
    await worker.stop();
    // Sales changes the count in Echo…
    expect((await kit.echo("PATCH", `/v1/events/${event.echoId}`, { guestCount: { guaranteed: 200 } })).status).toBe(
      200,
    );
    await delivered();
    // …then the banquet manager changes it in Maestro…
    expect((await kit.admin("PATCH", `/api/beos/${event.beoId}`, { event: { guaranteed: 180 } })).status).toBe(200);
    // …then sales changes the client's name, a field Maestro does not edit.
    expect((await kit.echo("PATCH", `/v1/events/${event.echoId}`, { clientName: "Priya Natarajan" })).status).toBe(200);
    await delivered();
    worker.start();
    await settle(kit);

    expect((await kit.admin("GET", `/api/beos/${event.beoId}`)).body.event.guaranteed).toBe(180);
    const echo = (await kit.echo("GET", `/v1/events/${event.echoId}`)).body;
    expect(echo.guestCount.guaranteed).toBe(180);
    expect(echo.clientName).toBe("Priya Natarajan");
    // Every decision on the count went Maestro's way and is on record.
    const conflicts = (await kit.admin("GET", "/api/echo-integration/conflicts")).body.data as any[];
    const mine = conflicts.filter((c) => c.echoEventId === event.echoId);
    expect(mine.length).toBeGreaterThan(0);
    for (const c of mine) expect(c.resolution).toMatch(/newest_wins: maestro/);
  });
});
