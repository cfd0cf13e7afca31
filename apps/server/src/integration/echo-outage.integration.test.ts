import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient } from "../testing/test-server.ts";
import { settle, startSyncKit, waitFor, type SyncKit } from "../testing/sync-test-kit.ts";
import { calendarFor, createSignedEchoEvent } from "../testing/security-test-helpers.ts";
import { DEFAULT_SCHEDULER_OPTIONS } from "./integration-scheduler.ts";

// Issue 5 acceptance — stopping the sandbox turns status to `down` within 30 s and
// raises an alert; restarting it recovers and syncs the backlog.

describe("Echo outage and recovery", () => {
  let kit: SyncKit;

  beforeAll(async () => {
    // Health checks every 500 ms; pushes retried quickly (backoff capped at 200 ms): a job
    // that spent an attempt on every run would be parked within 2 s of the outage.
    kit = await startSyncKit({ integration: { scheduler: { healthCheckMs: 500 }, retry: { baseMs: 50, maxMs: 200 } } });
  });
  afterAll(async () => kit?.stop());

  const status = async () => (await kit.admin("GET", "/api/echo-integration/status")).body;

  it("goes down with an alert when Echo stops, and after a restart recovers and syncs the backlog", async () => {
    const a = await createSignedEchoEvent(kit, { eventName: "Outage Banquet A" });
    const b = await createSignedEchoEvent(kit, { eventName: "Outage Banquet B" });
    const c = await createSignedEchoEvent(kit, { eventName: "Outage Banquet C" });
    const d = await createSignedEchoEvent(kit, { eventName: "Outage Banquet D" });
    await settle(kit);
    const before = await status();
    expect(before.connection.echoCrm).toBe("healthy");
    expect(before.alerts.filter((x: any) => x.rule === "echo_connectivity")).toEqual([]);

    await kit.sandbox.close();
    const down = await waitFor(
      "status down",
      async () => ((await status()).connection.echoCrm === "down" ? status() : undefined),
      30_000,
    );
    expect(down.alerts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ rule: "echo_connectivity", severity: "critical", message: expect.any(String) }),
      ]),
    );
    // Readiness reports Echo's state (Maestro itself stays ready: it works on without Echo).
    expect((await kit.admin("GET", "/readyz")).body).toMatchObject({ database: "ok", echoCrm: "down" });

    // Maestro keeps working during the outage: BEO changes are accepted and queued.
    expect((await kit.admin("PATCH", `/api/beos/${a.beoId}`, { event: { guaranteed: 201 } })).status).toBe(200);
    // A's push waits for Echo, however long the outage: runs refused by the open circuit
    // spend no attempt. Its whole backoff (8 attempts of at most 200 ms here) is long past
    // after 6 s, and it is still queued, not parked.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    const jobsOf = async (echoId: string) =>
      (await kit.maestro.maestro.database.db
        .selectFrom("syncJobs")
        .select(["id", "kind", "status", "attempts", "maxAttempts", "lastError"])
        .where("orgId", "=", kit.maestro.orgId)
        .where("orderingKey", "=", echoId)
        .where("kind", "in", ["push", "maestro_webhook"])
        .execute()) as { id: string; kind: string; status: string; attempts: number; maxAttempts: number }[];
    // (Its earlier pushes, from before the outage, are done.)
    const aPush = (await jobsOf(a.echoId)).filter((j) => j.kind === "push" && j.status !== "done");
    expect(aPush).toEqual([expect.objectContaining({ status: expect.stringMatching(/^(queued|running)$/) })]);
    expect(aPush[0]!.attempts).toBeLessThan(aPush[0]!.maxAttempts);

    // The chef approves C's BEO: the news for Echo (its status) and for sales (a
    // notification) are queued too. These two are parked as having used up their
    // attempts (as against an Echo that answered 502 to each), to show that such
    // jobs go again when Echo is back.
    const chef = apiClient(kit.maestro.url, kit.maestro.keys.chef);
    expect((await chef("POST", `/api/beos/${c.beoId}/approve`)).status).toBe(200);
    await waitFor(
      "C's approval jobs to be parked as failed",
      async () => {
        await kit.maestro.maestro.database.db
          .updateTable("syncJobs")
          .set((eb) => ({ status: "failed", attempts: eb.ref("maxAttempts"), lastError: "502 from Echo" }))
          .where("orgId", "=", kit.maestro.orgId)
          .where("orderingKey", "=", c.echoId)
          .where("kind", "in", ["push", "maestro_webhook"])
          .where("status", "=", "queued")
          .execute();
        const failed = await kit.maestro.maestro.integration.jobs.listFailed(kit.maestro.orgId);
        return ["push", "maestro_webhook"].every((kind) =>
          failed.some((j) => j.kind === kind && j.orderingKey === c.echoId),
        );
      },
      30_000,
    );
    // D is approved during the outage, then changed (back to pending approval): its
    // approval news, waiting for Echo, is out of date by the time Echo is back.
    expect((await chef("POST", `/api/beos/${d.beoId}/approve`)).status).toBe(200);
    expect((await kit.admin("PATCH", `/api/beos/${d.beoId}`, { event: { guaranteed: 95 } })).body.status).toBe(
      "pending_approval",
    );
    // …while B's change is made just before Echo returns.
    expect(
      (
        await kit.admin("PATCH", `/api/beos/${b.beoId}`, {
          event: { guaranteed: 202 },
          menu: { specialInstructions: "Changed during the outage" },
        })
      ).status,
    ).toBe(200);
    expect((await status()).connection.echoCrm).toBe("down");

    await kit.restartSandbox();
    const healthy = await waitFor(
      "status healthy",
      async () => ((await status()).connection.echoCrm === "healthy" ? status() : undefined),
      30_000,
    );
    await waitFor(
      "the connectivity alert to be resolved",
      async () => !(await status()).alerts.some((x: any) => x.rule === "echo_connectivity"),
      30_000,
    );
    expect(healthy.enabled).toBe(true);

    // The backlog reaches Echo: both changes.
    await waitFor(
      "A's change in Echo",
      async () => (await kit.echo("GET", `/v1/events/${a.echoId}`)).body.guestCount.guaranteed === 201,
      30_000,
    );
    await waitFor(
      "B's change in Echo",
      async () => (await kit.echo("GET", `/v1/events/${b.echoId}`)).body.guestCount.guaranteed === 202,
      30_000,
    );
    // C's approval reaches Echo and its sales team, though its jobs had given up.
    await waitFor(
      "C's approval in Echo",
      async () => (await kit.echo("GET", `/v1/events/${c.echoId}`)).body.beoStatus === "approved",
      30_000,
    );
    await waitFor(
      "the approval notification for sales",
      async () =>
        (await kit.echo("GET", `/v1/notifications?eventId=${c.echoId}`)).body.data.some(
          (n: any) => n.kind === "beo_approved",
        ),
      30_000,
    );
    // D: Echo and its sales team learn the BEO as it is (pending approval, 95 guests),
    // never that it was approved; the out-of-date news is on record as not sent.
    await waitFor(
      "D's change in Echo",
      async () => (await kit.echo("GET", `/v1/events/${d.echoId}`)).body.guestCount.guaranteed === 95,
      30_000,
    );
    await settle(kit);
    expect((await kit.echo("GET", `/v1/events/${d.echoId}`)).body.beoStatus).toBe("pending_approval");
    expect(
      (await kit.echo("GET", `/v1/notifications?eventId=${d.echoId}`)).body.data.map((n: any) => n.kind),
    ).not.toContain("beo_approved");
    const dHistory = (await kit.admin("GET", `/api/echo-integration/history?echoEventId=${d.echoId}&limit=100`)).body
      .data;
    expect(dHistory).toContainEqual(
      expect.objectContaining({ status: "skipped", beoId: d.beoId, direction: "maestro_to_echo" }),
    );

    // And Echo → Maestro flows again (the restarted sandbox kept Maestro's webhook registration).
    expect((await kit.echo("PATCH", `/v1/events/${b.echoId}`, { room: "Harbor Terrace" })).status).toBe(200);
    await waitFor(
      "Echo change after recovery",
      async () => (await calendarFor(kit, b.echoId))?.room === "Harbor Terrace",
      30_000,
    );
    expect((await kit.admin("GET", "/readyz")).body).toMatchObject({ status: "ready", echoCrm: "healthy" });
  });
});

// The same acceptance point with the production health-check interval (10 s): two
// missed checks in a row mean `down`, so the operator sees it well within 30 s.
describe("Echo outage with the default health-check interval", () => {
  let kit: SyncKit;
  beforeAll(async () => {
    kit = await startSyncKit({
      integration: { scheduler: { healthCheckMs: DEFAULT_SCHEDULER_OPTIONS.healthCheckMs } },
    });
  });
  afterAll(async () => kit?.stop());

  it("reports down with an echo_connectivity alert within 30 s", async () => {
    await kit.sandbox.close();
    const down = await waitFor(
      "status down",
      async () => {
        const s = (await kit.admin("GET", "/api/echo-integration/status")).body;
        return s.connection.echoCrm === "down" && s.alerts.some((x: any) => x.rule === "echo_connectivity")
          ? s
          : undefined;
      },
      30_000,
    );
    expect(down.connection.lastCheckedAt).toEqual(expect.any(String));
  });
});
