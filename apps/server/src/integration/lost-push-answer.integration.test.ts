import { afterEach, describe, expect, it } from "vitest";
import type { ConflictPolicy } from "@maestro/shared/integration.schema";
import { createSignedEchoEvent } from "../testing/security-test-helpers.ts";
import { settle, startSyncKit, type SyncKit } from "../testing/sync-test-kit.ts";
import { EchoError } from "./echo-client.ts";

// A push that Echo applied but whose answer never came back (a timeout, a cut
// connection, Maestro killed right after Echo's 200), followed by a newer edit
// in Maestro before the retry: the retry meets Echo holding Maestro's own
// earlier value. That is not a change made in Echo: the newer edit must win
// under every policy, with no conflict on record.
describe("a push whose answer was lost, then a newer Maestro edit", () => {
  let kit: SyncKit | undefined;
  afterEach(async () => {
    await kit?.stop();
    kit = undefined;
  });

  for (const policy of ["echo_wins", "manual", "newest_wins"] as ConflictPolicy[]) {
    it(`keeps the newer edit under ${policy}`, async () => {
      kit = await startSyncKit({ policy });
      const k = kit;
      const event = await createSignedEchoEvent(k, { eventName: `Lost answer ${policy}` });
      await settle(k);
      const integration = (await k.maestro.maestro.integration.runtime.get(k.maestro.orgId))!;
      const patchEvent = integration.client.patchEvent.bind(integration.client);
      let lost = 0;
      integration.client.patchEvent = async (...args: Parameters<typeof patchEvent>) => {
        const answer = await patchEvent(...args);
        if (lost++ > 0) return answer;
        // Echo has applied the write; before Maestro hears of it, a person edits again.
        expect((await k.admin("PATCH", `/api/beos/${event.beoId}`, { event: { guaranteed: 170 } })).status).toBe(200);
        throw new EchoError("socket hang up", "network");
      };

      expect((await k.admin("PATCH", `/api/beos/${event.beoId}`, { event: { guaranteed: 160 } })).status).toBe(200);
      await settle(k);

      expect(lost).toBeGreaterThan(1);
      expect((await k.admin("GET", `/api/beos/${event.beoId}`)).body.event.guaranteed).toBe(170);
      expect((await k.echo("GET", `/v1/events/${event.echoId}`)).body.guestCount.guaranteed).toBe(170);
      const conflicts = (await k.admin("GET", "/api/echo-integration/conflicts")).body.data as any[];
      expect(conflicts.filter((c) => c.echoEventId === event.echoId)).toEqual([]);
    });
  }

  it("still records a conflict when the lost write never arrived and Echo changed the field", async () => {
    kit = await startSyncKit({ policy: "echo_wins" });
    const k = kit;
    const event = await createSignedEchoEvent(k, { eventName: "Never arrived" });
    await settle(k);
    const integration = (await k.maestro.maestro.integration.runtime.get(k.maestro.orgId))!;
    const patchEvent = integration.client.patchEvent.bind(integration.client);
    let cut = false;
    integration.client.patchEvent = async (...args: Parameters<typeof patchEvent>) => {
      if (cut) return patchEvent(...args);
      cut = true;
      // The connection drops before Echo gets the write; meanwhile sales changes the count in Echo.
      expect((await k.echo("PATCH", `/v1/events/${event.echoId}`, { guestCount: { guaranteed: 190 } })).status).toBe(
        200,
      );
      throw new EchoError("socket hang up", "network");
    };

    expect((await k.admin("PATCH", `/api/beos/${event.beoId}`, { event: { guaranteed: 160 } })).status).toBe(200);
    await settle(k);

    // A real change in Echo against Maestro's: echo_wins decides it, and it is on record.
    expect((await k.admin("GET", `/api/beos/${event.beoId}`)).body.event.guaranteed).toBe(190);
    const conflicts = (await k.admin("GET", "/api/echo-integration/conflicts")).body.data as any[];
    expect(conflicts.filter((c) => c.echoEventId === event.echoId)).toEqual([
      expect.objectContaining({
        policy: "echo_wins",
        fields: [expect.objectContaining({ field: "guaranteed", echoValue: 190, maestroValue: 160 })],
      }),
    ]);
  });
});
