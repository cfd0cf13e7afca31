import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSyncKit, type SyncKit, waitFor } from "../../apps/server/src/testing/sync-test-kit.ts";
import { ensureWebBuild, launchChromium, type Role, screenshot, signIn, todayIso } from "./web-support.ts";

// Each role sees what it may do and nothing more (CONTRACT §3): the buttons a
// role cannot use are absent, not merely disabled-looking, and read-only roles
// get read-only forms.

let kit: SyncKit;
let browser: Browser;
let echoBeoId: string;

type Expectation = {
  newEvent: boolean;
  createBeo: boolean;
  editBeo: boolean;
  approve: boolean;
  syncNow: boolean;
  configForm: boolean;
};

const matrix: Record<Role, Expectation> = {
  admin: { newEvent: true, createBeo: true, editBeo: true, approve: true, syncNow: true, configForm: true },
  ops: { newEvent: true, createBeo: true, editBeo: true, approve: false, syncNow: true, configForm: false },
  chef: { newEvent: false, createBeo: false, editBeo: true, approve: true, syncNow: false, configForm: false },
  sales: { newEvent: true, createBeo: false, editBeo: false, approve: false, syncNow: false, configForm: false },
  viewer: { newEvent: false, createBeo: false, editBeo: false, approve: false, syncNow: false, configForm: false },
};

const count = (page: Page, role: "button" | "link", name: string) =>
  page.getByRole(role, { name, exact: true }).count();

beforeAll(async () => {
  ensureWebBuild();
  kit = await startSyncKit({ policy: "newest_wins" });
  // One Echo event without a BEO (for "Create BEO") and one with a BEO awaiting approval.
  const base = {
    eventDate: todayIso(),
    eventTime: "18:00",
    timezone: "UTC",
    venue: "Grand Harbor Hotel",
    guestCount: { guaranteed: 120 },
    budget: { totalBudget: 30000, currency: "USD" },
    salesRepName: "Maria Lopez",
    specialRequests: "",
  };
  await kit.echo("POST", "/v1/events", {
    ...base,
    eventName: "Lindqvist Gala",
    room: "Grand Ballroom",
    clientName: "Lindqvist AB",
  });
  const withBeo = await kit.echo("POST", "/v1/events", {
    ...base,
    eventName: "Moreau Wedding",
    room: "Terrace",
    clientName: "Moreau",
  });
  await kit.echo("POST", `/v1/events/${withBeo.body.id}/contract/sign`);
  echoBeoId = await waitFor("the BEO created by contract.signed", async () => {
    const list = await kit.admin("GET", `/api/beos?echoEventId=${withBeo.body.id}`);
    return list.body.data?.[0]?.id as string | undefined;
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await kit?.stop();
});

describe("what each role sees", () => {
  for (const role of Object.keys(matrix) as Role[]) {
    it(`${role}: shows exactly the actions the role may take`, async () => {
      const want = matrix[role];
      const { page, context } = await signIn(browser, kit.maestro.url, role);

      // Shell: the sync indicator names the Echo connection health.
      await expect
        .poll(() => page.getByRole("status", { name: "Sync status" }).textContent())
        .toMatch(/healthy|degraded|down/);
      expect(await page.getByRole("button", { name: new RegExp(`Account: .*`) }).count()).toBe(1);

      // Calendar
      await expect.poll(() => page.locator(".fc-event", { hasText: "Lindqvist Gala" }).count()).toBe(1);
      expect(await count(page, "button", "New event")).toBe(want.newEvent ? 1 : 0);
      await page.locator(".fc-event", { hasText: "Lindqvist Gala" }).click();
      const dialog = page.getByRole("dialog", { name: /Lindqvist Gala/ });
      await expect.poll(() => dialog.isVisible()).toBe(true);
      expect(await dialog.getByRole("button", { name: "Create BEO" }).count()).toBe(want.createBeo ? 1 : 0);
      await page.keyboard.press("Escape");

      // BEO editor
      await page.goto(`/beos/${echoBeoId}`);
      await expect.poll(() => page.getByLabel("Guaranteed").count()).toBe(1);
      expect(await page.getByLabel("Guaranteed").isDisabled()).toBe(!want.editBeo);
      expect(await count(page, "button", "Add menu item")).toBe(want.editBeo ? 1 : 0);
      expect(await count(page, "button", "Approve")).toBe(want.approve ? 1 : 0);
      expect(await page.getByRole("link", { name: "Download PDF" }).count()).toBe(1);
      if (role === "viewer") await screenshot(page, "beo-editor-viewer");

      // Integration panel: every tab is there for everyone; actions are not.
      await page.goto("/integration");
      await expect.poll(() => page.getByRole("tablist").count()).toBe(1);
      for (const tab of ["Status", "Conflicts", "Echo events", "History", "Configuration"]) {
        expect(await page.getByRole("tab", { name: tab, exact: true }).count()).toBe(1);
      }
      await expect.poll(() => page.getByText(/Echo CRM is/).count()).toBe(1);
      expect(await count(page, "button", "Sync now")).toBe(want.syncNow ? 1 : 0);
      await page.getByRole("tab", { name: "Configuration", exact: true }).click();
      await expect.poll(() => page.getByRole("tabpanel").textContent()).toMatch(/Configuration|administrators/);
      expect(await count(page, "button", "Save configuration")).toBe(want.configForm ? 1 : 0);
      await page.getByRole("tab", { name: "Echo events", exact: true }).click();
      await expect.poll(() => page.getByRole("button", { name: "Lindqvist Gala" }).count()).toBe(1);
      expect(await page.getByRole("tabpanel").getByRole("button", { name: "Create BEO" }).count()).toBe(
        want.createBeo ? 1 : 0,
      );

      await context.close();
    });
  }
});
