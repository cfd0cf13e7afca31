import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient } from "../../apps/server/src/testing/test-server.ts";
import { settle, startSyncKit, type SyncKit, waitFor } from "../../apps/server/src/testing/sync-test-kit.ts";
import { ensureWebBuild, launchChromium, screenshot, signIn, todayIso } from "./web-support.ts";

// The Echo integration panel in Chromium, under the manual conflict policy: a
// guest count changed on both sides freezes the field in the BEO editor, the
// banquet manager resolves it with "Use Maestro value", and both systems then
// hold that value. Every tab is captured for review.

let kit: SyncKit;
let browser: Browser;
let echoId: string;
let beoId: string;

beforeAll(async () => {
  ensureWebBuild();
  kit = await startSyncKit({ policy: "manual" });
  const created = await kit.echo("POST", "/v1/events", {
    eventName: "Haddad–Kim Wedding",
    eventDate: todayIso(),
    eventTime: "17:00",
    endTime: "23:30",
    timezone: "UTC",
    venue: "Grand Harbor Hotel",
    room: "Grand Ballroom",
    guestCount: { expected: 210, guaranteed: 200 },
    contractStatus: "contract_sent",
    budget: { totalBudget: 64000, currency: "USD" },
    clientName: "Leila Haddad",
    salesRepName: "Maria Lopez",
    specialRequests: "Halal meals for 30 guests.",
  });
  echoId = created.body.id;
  await kit.echo("POST", `/v1/events/${echoId}/contract/sign`);
  beoId = await waitFor("the BEO created by contract.signed", async () => {
    const list = await kit.admin("GET", `/api/beos?echoEventId=${echoId}`);
    return list.body.data?.[0]?.id as string | undefined;
  });
  await settle(kit);

  // Both sides change the guaranteed count while Echo's webhooks are lost.
  const ops = apiClient(kit.maestro.url, kit.maestro.keys.ops);
  await kit.echo("POST", "/_sandbox/faults", { dropRate: 1 });
  const echoNow = await kit.echo("GET", `/v1/events/${echoId}`);
  await kit.echo(
    "PATCH",
    `/v1/events/${echoId}`,
    { guestCount: { guaranteed: 212 } },
    { "if-match": String(echoNow.body.version) },
  );
  const beoNow = await ops("GET", `/api/beos/${beoId}`);
  await ops("PATCH", `/api/beos/${beoId}`, { event: { guaranteed: 205 } }, { "if-match": String(beoNow.body.version) });
  await settle(kit);
  await kit.echo("POST", "/_sandbox/faults", {});
  await waitFor("an open conflict", async () => {
    const open = await kit.admin("GET", "/api/echo-integration/conflicts?status=open");
    return open.body.data?.length === 1;
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await kit?.stop();
});

describe("the Echo integration panel", () => {
  it("freezes the conflicting field, resolves it with “Use Maestro value” and leaves both systems equal", async () => {
    const { page, context } = await signIn(browser, kit.maestro.url, "ops");

    // The BEO editor shows the frozen field.
    await page.goto(`/beos/${beoId}`);
    await expect.poll(() => page.getByText("Frozen by an open conflict with Echo CRM:").count()).toBe(1);
    expect(await page.getByLabel("Guaranteed").isDisabled()).toBe(true);
    await screenshot(page, "beo-editor-frozen");

    await page.getByRole("link", { name: "Integration", exact: false }).first().click();
    await page.getByRole("tab", { name: "Conflicts", exact: true }).click();
    const card = page.getByRole("article").filter({ hasText: echoId });
    await expect.poll(() => card.count()).toBe(1);
    const row = card.getByRole("row", { name: /Guaranteed guests/ });
    expect(await row.getByRole("cell").allTextContents()).toEqual(["200", "212", "205"]);

    // "Use custom value" opens inputs; cancel keeps the three choices.
    await card.getByRole("button", { name: "Use custom value" }).click();
    expect(await card.getByRole("textbox", { name: "Guaranteed guests" }).inputValue()).toBe("205");
    await screenshot(page, "panel-conflicts-custom");
    await card.getByRole("button", { name: "Cancel" }).click();
    await screenshot(page, "panel-conflicts");

    await card.getByRole("button", { name: "Use Maestro value" }).click();
    await expect
      .poll(() => page.getByRole("article").filter({ hasText: echoId }).filter({ hasText: "Open" }).count())
      .toBe(0);

    await settle(kit);
    await waitFor("Echo to hold Maestro's value", async () => {
      const echo = await kit.echo("GET", `/v1/events/${echoId}`);
      return echo.body.guestCount.guaranteed === 205;
    });
    const beo = await kit.admin("GET", `/api/beos/${beoId}`);
    expect(beo.body.event.guaranteed).toBe(205);
    expect(beo.body.frozenFields ?? []).toEqual([]);
    const resolved = await kit.admin("GET", "/api/echo-integration/conflicts?status=resolved");
    expect(resolved.body.data.map((c: { echoEventId: string }) => c.echoEventId)).toContain(echoId);
    await context.close();
  });

  it("shows status, Echo events, history and configuration (captured for review)", async () => {
    const { page, context } = await signIn(browser, kit.maestro.url, "admin");
    await page.goto("/integration");
    await expect.poll(() => page.getByText(/Echo CRM is/).textContent()).toMatch(/healthy|degraded|down/);
    await expect.poll(() => page.getByRole("img", { name: /Throughput/ }).count()).toBe(1);
    expect(await page.getByRole("button", { name: "Sync now" }).count()).toBe(1);
    await screenshot(page, "panel-status", true);

    await page.getByRole("tab", { name: "Echo events", exact: true }).click();
    await page.getByRole("searchbox", { name: "Filter Echo events" }).fill("Haddad");
    await expect.poll(() => page.getByRole("button", { name: "Haddad–Kim Wedding" }).count()).toBe(1);
    await page.getByRole("button", { name: "Haddad–Kim Wedding" }).click();
    await expect.poll(() => page.getByRole("region", { name: "Haddad–Kim Wedding" }).count()).toBe(1);
    await screenshot(page, "panel-echo-events");

    await page.getByRole("tab", { name: "History", exact: true }).click();
    await expect.poll(() => page.getByRole("table").count()).toBe(1);
    await page.getByLabel("Status", { exact: true }).selectOption("conflict");
    await expect.poll(async () => (await page.getByRole("table").getByRole("row").count()) > 1).toBe(true);
    const statuses = await page.getByRole("table").locator("tbody .badge").allTextContents();
    expect(new Set(statuses)).toEqual(new Set(["Conflict"]));
    await page.getByLabel("Status", { exact: true }).selectOption("");
    await screenshot(page, "panel-history");

    await page.getByRole("tab", { name: "Configuration", exact: true }).click();
    await expect.poll(() => page.getByRole("button", { name: "Save configuration" }).count()).toBe(1);
    // Secrets are never shown; the form says a stored value is kept.
    expect(await page.getByLabel("Echo CRM API key").inputValue()).toBe("");
    await page.getByLabel("Sync interval (minutes)").fill("0");
    await page.getByRole("button", { name: "Save configuration" }).click();
    await expect.poll(() => page.getByText("Must be 1 or more.").count()).toBe(1);
    await screenshot(page, "panel-configuration");
    await page.getByLabel("Sync interval (minutes)").fill("30");
    await page.getByRole("button", { name: "Save configuration" }).click();
    await waitFor("the interval to be saved", async () => {
      const config = await kit.admin("GET", "/api/echo-integration/config");
      return config.body.syncInterval === 30;
    });
    await context.close();
  });
});
