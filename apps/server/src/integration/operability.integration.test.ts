import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { settle, startSyncKit, waitFor, weddingEvent, type SyncKit } from "../testing/sync-test-kit.ts";

// Alerts reach a Slack-compatible webhook; log lines carry the ids shown in the
// history; retention prunes raw payloads and old history but keeps the audit log.
describe("operability", () => {
  let kit: SyncKit;
  let receiver: Server;
  const alerts: any[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        alerts.push(JSON.parse(body));
        res.writeHead(200).end("ok");
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    const port = (receiver.address() as { port: number }).port;
    kit = await startSyncKit({ maestro: { alertWebhookUrl: `http://127.0.0.1:${port}/hooks/alerts` } });
  });
  afterAll(async () => {
    await kit.stop();
    await new Promise((r) => receiver.close(r));
  });

  it("posts raised and resolved alerts to the alert webhook as Slack-compatible JSON", async () => {
    const orgId = kit.maestro.orgId;
    await kit.maestro.maestro.integration.alerts.raise(
      orgId,
      "failed_syncs",
      "warning",
      "6 sync operations failed in the last 15 minutes",
    );
    await waitFor("alert delivery", async () => alerts.length >= 1);
    expect(alerts[0]).toMatchObject({ rule: "failed_syncs", severity: "warning" });
    expect(alerts[0].text).toContain("6 sync operations failed");
    // Raised once: a repeat of an open alert is not posted again.
    await kit.maestro.maestro.integration.alerts.raise(orgId, "failed_syncs", "warning", "7 sync operations failed");
    await kit.maestro.maestro.integration.alerts.resolve(orgId, "failed_syncs");
    await waitFor("resolution delivery", async () => alerts.length >= 2);
    expect(alerts).toHaveLength(2);
    expect(alerts[1].text).toMatch(/resolved/);
    const notifications = (await kit.admin("GET", "/api/notifications")).body.data;
    expect(notifications.some((n: any) => n.kind === "alert")).toBe(true);
  });

  it("logs each webhook delivery and sync operation with the ids shown in the history", async () => {
    const created = (await kit.echo("POST", "/v1/events", weddingEvent)).body;
    await waitFor(
      "import",
      async () => (await kit.admin("GET", `/api/calendar/events?q=${created.id}`)).body.data.length === 1,
    );
    await settle(kit);
    const op = (await kit.admin("GET", `/api/echo-integration/history?echoEventId=${created.id}`)).body.data.find(
      (o: any) => o.webhookId,
    );
    expect(op).toBeTruthy();
    const lines = kit.maestro.logLines.map((l) => JSON.parse(l));
    expect(lines.some((l) => l.opId === op.id && l.webhookId === op.webhookId)).toBe(true);
    expect(lines.some((l) => l.webhookId === op.webhookId && l.msg === "webhook stored")).toBe(true);
  });

  it("prunes raw payloads and old history, and keeps the audit log", async () => {
    const { integration } = kit.maestro.maestro;
    // Seen from 91 days on: past both the payload (24 h) and the history (90 days) retention.
    await integration.scheduler.prune(Date.now() + 91 * 24 * 3_600_000);
    const inbox = await integration.inbox.listWebhookIds(kit.maestro.orgId);
    expect(inbox.length).toBeGreaterThan(0);
    for (const row of inbox) {
      const full = await integration.inbox.get(kit.maestro.orgId, row.webhookId);
      if (full!.status !== "pending") expect(full!.payload).toBeNull();
    }
    expect((await kit.admin("GET", "/api/echo-integration/history")).body.data).toEqual([]);
    const audit = (await kit.admin("GET", "/api/echo-integration/audit-log")).body.data;
    expect(audit.some((a: any) => a.action === "integration.initialized")).toBe(true);
  });
  it("alerts when a reconciliation keeps running, and clears the alert when it ends", async () => {
    const { integration, database } = kit.maestro.maestro;
    const orgId = kit.maestro.orgId;
    const status = async () => (await kit.admin("GET", "/api/echo-integration/status")).body;
    // A reconciliation claimed 45 minutes ago whose worker still renews its lease (stuck paging Echo).
    const id = await integration.jobs.enqueue(orgId, "reconcile", "reconcile", { full: true, trigger: "manual" });
    await database.db
      .updateTable("syncJobs")
      .set({
        status: "running",
        lockedBy: "stuck-worker",
        lockedUntil: new Date(Date.now() + 60_000).toISOString(),
        updatedAt: new Date(Date.now() - 45 * 60_000).toISOString(),
      })
      .where("id", "=", id)
      .execute();
    await integration.scheduler.evaluateAlerts(orgId);
    expect((await status()).alerts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          rule: "reconciliation_stuck",
          severity: "warning",
          message: expect.stringMatching(/running for 45 minutes/),
        }),
      ]),
    );

    await database.db
      .updateTable("syncJobs")
      .set({ status: "done", lockedBy: null, lockedUntil: null })
      .where("id", "=", id)
      .execute();
    await integration.scheduler.evaluateAlerts(orgId);
    expect((await status()).alerts.some((a: any) => a.rule === "reconciliation_stuck")).toBe(false);
  });
  it("wakes the worker for user changes, not for what the worker announces about its own work", () => {
    const { integration, live } = kit.maestro.maestro;
    const nudge = vi.spyOn(integration.worker!, "nudge");
    try {
      const orgId = kit.maestro.orgId;
      // A first import announces every page: each wake-up would be a claim over its held outbound jobs.
      live.publish({ orgId, type: "calendar.changed", data: {}, origin: "sync" });
      live.publish({ orgId, type: "beo.changed", data: {}, origin: "sync" });
      expect(nudge).not.toHaveBeenCalled();
      // A user's BEO or calendar change has an outbox job to push at once.
      live.publish({ orgId, type: "beo.changed", data: { id: "beo_x" } });
      live.publish({ orgId, type: "calendar.changed", data: { id: "cal_x" } });
      expect(nudge).toHaveBeenCalledTimes(2);
    } finally {
      nudge.mockRestore();
    }
  });
});
