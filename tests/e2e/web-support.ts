import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { TEST_PASSWORD } from "../../apps/server/src/testing/test-server.ts";

// Shared by the web app's browser tests (tests/e2e/web-*.e2e.test.ts): Debian's
// Chromium, a built web app, sign-in per role and screenshots for review.

const root = path.resolve(import.meta.dirname, "../..");
export const SCREENSHOTS = path.join(root, "screenshots");

const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

// Maestro serves apps/web/dist only if it exists when the server starts.
export function ensureWebBuild(): void {
  if (existsSync(path.join(root, "apps/web/dist/index.html"))) return;
  const r = spawnSync("npm", ["run", "build", "-w", "@maestro/web"], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) throw new Error("building the web app failed");
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
}

export type Role = "admin" | "ops" | "chef" | "sales" | "viewer";

// A fresh context (own cookies) signed in as the demo user of that role.
export async function signIn(
  browser: Browser,
  baseUrl: string,
  role: Role,
  viewport = { width: 1440, height: 900 },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, baseURL: baseUrl });
  const page = await context.newPage();
  page.on("pageerror", (error) => console.error(`[browser ${role}] ${error.message}`));
  await page.goto("/login");
  await page.getByLabel("Email").fill(`${role}@demo.test`);
  await page.getByLabel("Password").fill(TEST_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/calendar/);
  return { context, page };
}

export async function screenshot(page: Page, name: string, fullPage = false): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}

export function todayIso(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}
