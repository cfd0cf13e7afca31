import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSyncKit, type SyncKit } from "../../apps/server/src/testing/sync-test-kit.ts";
import { apiClient } from "../../apps/server/src/testing/test-server.ts";
import { ensureWebBuild, launchChromium, screenshot, signIn, todayIso } from "./web-support.ts";

// What a banquet manager and a chef click, against Maestro and the Echo sandbox
// as real servers: an Echo event arrives live, is found by its client, gets a
// BEO, the chef approves it, and a guest-count change in Echo reaches the
// open editor without a reload.

let kit: SyncKit;
let browser: Browser;

beforeAll(async () => {
  ensureWebBuild();
  kit = await startSyncKit({ policy: "newest_wins" });
  for (const [name, capacity] of [
    ["Grand Ballroom", 600],
    ["Harbor Room", 180],
  ] as const) {
    await kit.maestro.maestro.services.rooms.create(kit.maestro.orgId, { name, capacity, combinesWith: [] });
  }
  browser = await launchChromium();
});

const apiClientFor = (role: keyof SyncKit["maestro"]["keys"]) => apiClient(kit.maestro.url, kit.maestro.keys[role]);

afterAll(async () => {
  await browser?.close();
  await kit?.stop();
});

describe("the global calendar and the BEO editor with Echo CRM", () => {
  it("shows a new Echo event live, finds it by client, creates its BEO, lets the chef approve and follows Echo's guest count", async () => {
    const ops = await signIn(browser, kit.maestro.url, "ops");
    const page = ops.page;
    await expect.poll(() => page.getByRole("status", { name: "Sync status" }).textContent()).toMatch(/healthy/);

    // 1. Created in Echo while the calendar is open: it appears without a reload.
    const client = `Adaeze Okonkwo ${Date.now().toString(36)}`;
    const created = await kit.echo("POST", "/v1/events", {
      eventName: "Okonkwo Anniversary Dinner",
      eventDate: todayIso(),
      eventTime: "19:00",
      endTime: "23:00",
      timezone: "UTC",
      venue: "Grand Harbor Hotel",
      room: "Harbor Room",
      guestCount: { expected: 90, guaranteed: 80 },
      contractStatus: "tentative",
      budget: { totalBudget: 24000, currency: "USD" },
      clientName: client,
      salesRepName: "Maria Lopez",
      specialRequests: "Three vegetarian guests.",
    });
    expect(created.status).toBe(201);
    const echoId = created.body.id as string;

    const onBoard = page.locator(".fc-event", { hasText: "Okonkwo Anniversary Dinner" });
    await expect.poll(() => onBoard.count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => onBoard.getByRole("img", { name: "From Echo CRM" }).count()).toBe(1);
    await screenshot(page, "calendar-month");

    // 2. Search by client name (server-side `q`) finds it, with sales rep and client shown.
    await page.getByRole("searchbox", { name: "Search events" }).fill(client);
    const results = page.getByRole("region", { name: "Search results" });
    const hit = results.getByRole("button", { name: /Okonkwo Anniversary Dinner/ });
    await expect.poll(() => hit.count(), { timeout: 10_000 }).toBe(1);
    expect(await hit.textContent()).toContain("Maria Lopez");
    expect(await hit.getByRole("img", { name: "From Echo CRM" }).count()).toBe(1);
    await screenshot(page, "calendar-search");

    // 3. "Create BEO" from the event opens the new BEO.
    await hit.click();
    const dialog = page.getByRole("dialog", { name: /Okonkwo Anniversary Dinner/ });
    expect(await dialog.textContent()).toContain(client);
    await dialog.getByRole("button", { name: "Create BEO" }).click();
    await page.waitForURL(/\/beos\/beo_/);
    const beoId = page.url().split("/beos/")[1]!;
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Okonkwo Anniversary Dinner");
    expect(await page.getByLabel("Guaranteed").inputValue()).toBe("80");
    await screenshot(page, "beo-editor");

    // 4. The chef approves it.
    const chef = await signIn(browser, kit.maestro.url, "chef");
    await chef.page.goto(`/beos/${beoId}`);
    await chef.page.getByRole("button", { name: "Approve" }).click();
    await expect.poll(() => chef.page.locator(".beo-title .badge").first().textContent()).toBe("Approved");
    const approved = await kit.admin("GET", `/api/beos/${beoId}`);
    expect(approved.body.status).toBe("approved");

    // 5. A guest-count change in Echo shows in the open editor, marked as changed since approval.
    const current = await kit.echo("GET", `/v1/events/${echoId}`);
    const patched = await kit.echo(
      "PATCH",
      `/v1/events/${echoId}`,
      { guestCount: { guaranteed: 96 } },
      {
        "if-match": String(current.body.version),
      },
    );
    expect(patched.status).toBe(200);
    await expect.poll(() => page.getByLabel("Guaranteed").inputValue(), { timeout: 10_000 }).toBe("96");
    await expect.poll(() => page.getByText("Changed since the approved version").count()).toBeGreaterThan(0);
    await screenshot(page, "beo-editor-changed-since-approval", true);

    await chef.context.close();
    await ops.context.close();
  });

  it("shows the week, day and room views of the same board", async () => {
    const { page, context } = await signIn(browser, kit.maestro.url, "ops");
    await kit.admin("POST", "/api/calendar/events", {
      title: "Rotary Club Lunch",
      date: todayIso(),
      time: "12:00",
      endTime: "20:00",
      room: "Harbor Room",
      guestCount: 40,
      status: "confirmed",
      clientName: "Rotary Club",
      salesRepName: "In-house",
    });
    for (const view of ["Week", "Day", "Rooms"] as const) {
      await page.getByRole("button", { name: view, exact: true }).click();
      await expect
        .poll(() => page.getByRole("button", { name: view, exact: true }).getAttribute("aria-pressed"))
        .toBe("true");
      await expect.poll(() => page.getByText("Rotary Club Lunch").count()).toBeGreaterThan(0);
      await screenshot(page, `calendar-${view.toLowerCase()}`);
    }
    // The local lunch overlaps the Echo dinner in the Harbor Room: both carry the warning.
    expect(await page.getByRole("img", { name: "Double-booked" }).count()).toBeGreaterThanOrEqual(2);
    await context.close();
  });
});

describe("notifications", () => {
  it("lets a banquet manager read every notification at once", async () => {
    // As after a first import of a venue's book: many BEOs created at once.
    await kit.maestro.maestro.services.notifications.addMany(
      kit.maestro.orgId,
      Array.from({ length: 120 }, (_, i) => ({
        audience: ["ops" as const, "chef" as const],
        kind: "beo.created",
        message: `Contract signed for "Imported Banquet ${i + 1}": BEO #${2000 + i} created`,
        link: null,
      })),
    );
    const { page, context } = await signIn(browser, kit.maestro.url, "ops");
    const bell = page.getByRole("button", { name: /^Notifications/ });
    // All of them counted, not only the latest listed.
    const unreadCount = async () =>
      Number(/^Notifications, (\d+) unread$/.exec((await bell.getAttribute("aria-label")) ?? "")?.[1] ?? 0);
    await expect.poll(unreadCount, { timeout: 10_000 }).toBeGreaterThanOrEqual(120);
    await bell.click();
    const panel = page.getByRole("region", { name: "Notifications list" });
    await expect
      .poll(() => panel.locator(".notification-unread", { hasText: "Imported Banquet" }).count())
      .toBeGreaterThan(10);
    await screenshot(page, "notifications-unread");

    await panel.getByRole("button", { name: "Mark all read" }).click();
    await expect.poll(() => bell.getAttribute("aria-label")).toBe("Notifications");
    expect(await panel.getByRole("button", { name: "Mark all read" }).count()).toBe(0);
    expect(await panel.locator(".notification-unread").count()).toBe(0);
    // Read for ops, not for the kitchen.
    const chefView = await apiClientFor("chef")("GET", "/api/notifications");
    expect(chefView.body.data.filter((n: { readAt?: string }) => !n.readAt).length).toBeGreaterThan(0);
    await screenshot(page, "notifications-read");
    await context.close();
  });
});

describe("editing a BEO someone else changed", () => {
  it("warns while editing and refuses the stale save with “changed meanwhile — reloaded”", async () => {
    const event = await kit.admin("POST", "/api/calendar/events", {
      title: "Library Book Launch",
      date: todayIso(),
      time: "10:00",
      endTime: "12:00",
      room: "Library",
      guestCount: 30,
      status: "confirmed",
    });
    const beo = await kit.admin("POST", "/api/beos", { calendarEventId: event.body.id });
    const { page, context } = await signIn(browser, kit.maestro.url, "ops");
    await page.goto(`/beos/${beo.body.id}`);
    await page.getByLabel("Layout").fill("Theatre rows, lectern");

    // Someone else saves meanwhile: the open editor says so and keeps the edit.
    await kit.admin(
      "PATCH",
      `/api/beos/${beo.body.id}`,
      { event: { guaranteed: 34 } },
      { "if-match": String(beo.body.version) },
    );
    await expect.poll(() => page.getByText(/Someone else saved version/).count(), { timeout: 10_000 }).toBe(1);
    expect(await page.getByLabel("Layout").inputValue()).toBe("Theatre rows, lectern");

    await page.getByRole("button", { name: "Save changes" }).click();
    await expect.poll(() => page.getByText("This BEO changed meanwhile — reloaded", { exact: false }).count()).toBe(1);
    await expect.poll(() => page.getByLabel("Guaranteed").inputValue()).toBe("34");
    const stored = await kit.admin("GET", `/api/beos/${beo.body.id}`);
    expect(stored.body.setup.layout ?? "").toBe("");
    await context.close();
  });
});
