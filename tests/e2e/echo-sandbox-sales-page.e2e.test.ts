import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signWebhook } from "@maestro/shared/webhook-signature";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEchoSandbox, type EchoSandbox } from "../../apps/echo-sandbox/src/sandbox-server.ts";

// The Echo sandbox's sales page in Chromium: sign in, create an event, sign its contract.

const API_KEY = "e2e-sandbox-key";
const MAESTRO_SECRET = "e2e-maestro-webhook-secret";
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

let sandbox: EchoSandbox;
let browser: Browser;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "echo-sandbox-e2e-"));
  sandbox = await startEchoSandbox({
    port: 0,
    dataDir,
    apiKey: API_KEY,
    logLevel: "silent",
    maestroWebhookSecrets: [MAESTRO_SECRET],
  });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
  });
});

afterAll(async () => {
  await browser?.close();
  await sandbox?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${API_KEY}`, ...(body ? { "content-type": "application/json" } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return (await response.json()) as any;
}

async function approveBeo(echoEventId: string) {
  const body = JSON.stringify({
    id: "mwh_e2e_1",
    type: "beo.approved",
    createdAt: new Date().toISOString(),
    data: {
      echoEventId,
      beo: {
        id: "beo_e2e",
        version: 2,
        beoNumber: 7,
        status: "approved",
        header: { eventName: "Lindqvist Anniversary Dinner" },
        event: { date: "2031-09-12", time: "19:00", room: "Harbor Room", guaranteed: 84 },
        menu: { items: [], specialInstructions: "" },
        setup: { specialRequests: "" },
        echoEventId,
        calendarEventId: "cal_e2e",
        createdAt: new Date().toISOString(),
        updatedAt: new Date().toISOString(),
      },
    },
  });
  const response = await fetch(`${sandbox.url}/api/echo-integration/webhooks/maestro`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...signWebhook(MAESTRO_SECRET, "mwh_e2e_1", Date.now() / 1000, body),
    },
    body,
  });
  expect(response.status).toBe(200);
}

describe("Echo sandbox sales page", () => {
  it("lets a salesperson sign in, create an event and sign its contract", async () => {
    await api("POST", "/_sandbox/seed", { count: 6, seed: 3 });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    await page.goto(sandbox.url);

    await page.getByLabel("API key").fill("wrong-key");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").first().textContent()).toContain("not accepted");
    await page.getByLabel("API key").fill(API_KEY);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Events" }).waitFor();

    await page.getByRole("button", { name: "New event" }).click();
    const dialog = page.getByRole("dialog", { name: "New event" });
    await dialog.getByLabel("Event name").fill("Lindqvist Anniversary Dinner");
    await dialog.getByLabel("Date").fill("2031-09-12");
    await dialog.getByLabel("Start time").fill("19:00");
    await dialog.getByLabel("End time").fill("23:00");
    await dialog.getByLabel("Venue").fill("Harborview Grand Hotel");
    await dialog.getByLabel("Room", { exact: true }).fill("Harbor Room");
    await dialog.getByLabel("Expected guests").fill("90");
    await dialog.getByLabel("Guaranteed guests").fill("84");
    await dialog.getByLabel("Budget").fill("15400");
    await dialog.getByLabel("Client name").fill("Sofia Lindqvist");
    await dialog.getByLabel("Client e-mail").fill("sofia.lindqvist@example.com");
    await dialog.getByLabel("Sales rep").fill("Maya Brooks");
    await dialog.getByLabel("Contract status").selectOption("contract_sent");
    await dialog.getByLabel("Special requests").fill("6 vegetarian meals\n2 gluten-free meals");
    mkdirSync("screenshots", { recursive: true });
    await page.screenshot({ path: "screenshots/echo-sandbox-sales-dialog.png" });
    await dialog.getByRole("button", { name: "Save event" }).click();

    await expect.poll(() => page.getByRole("status").textContent()).toContain("Created “Lindqvist Anniversary Dinner”");
    const row = page.getByRole("row").filter({ hasText: "Lindqvist Anniversary Dinner" });
    await expect.poll(() => row.textContent()).toContain("Contract sent");

    const created = (await api("GET", "/v1/events?limit=200")).data.find(
      (e: { eventName: string }) => e.eventName === "Lindqvist Anniversary Dinner",
    );
    expect(created).toMatchObject({
      room: "Harbor Room",
      guestCount: { expected: 90, guaranteed: 84 },
      budget: { totalBudget: 15400, currency: "USD" },
      contractStatus: "contract_sent",
      specialRequests: "6 vegetarian meals\n2 gluten-free meals",
      version: 1,
    });

    await page.getByRole("button", { name: "Sign contract for Lindqvist Anniversary Dinner" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toContain("Contract signed");
    await expect.poll(() => row.textContent()).toContain("Signed");
    expect(await page.getByRole("button", { name: "Sign contract for Lindqvist Anniversary Dinner" }).count()).toBe(0);
    expect(await api("GET", `/v1/events/${created.id}`)).toMatchObject({ contractStatus: "signed", version: 2 });

    // Maestro approves the BEO: sales sees the notification and the BEO status.
    await approveBeo(created.id);
    await page.reload();
    await page.getByText('BEO #7 for "Lindqvist Anniversary Dinner" was approved by the chef.').waitFor();
    await expect.poll(() => row.textContent()).toContain("BEO approved");

    await page.screenshot({ path: "screenshots/echo-sandbox-sales.png", fullPage: true });
    await context.close();
  });
});
