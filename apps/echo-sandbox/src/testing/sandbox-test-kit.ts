import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EchoEventCreate } from "@maestro/shared/echo-event.schema";
import { startEchoSandbox, type EchoSandbox, type EchoSandboxOptions } from "../sandbox-server.ts";

// Test-only helpers: a sandbox on a random port in a temp dir, and a small HTTP client.

export const TEST_API_KEY = "test-sandbox-key";

export type ApiResponse<T = any> = { status: number; headers: Headers; body: T };

export type ApiClient = <T = any>(
  method: string,
  path: string,
  options?: { body?: unknown; rawBody?: string; headers?: Record<string, string>; key?: string | null },
) => Promise<ApiResponse<T>>;

export function apiClient(baseUrl: string, apiKey: string): ApiClient {
  return async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    const key = options.key === undefined ? apiKey : options.key;
    if (key !== null) headers.authorization = `Bearer ${key}`;
    let body: string | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined && !headers["content-type"]) headers["content-type"] = "application/json";
    const response = await fetch(`${baseUrl}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, headers: response.headers, body: parsed as never };
  };
}

export type TestSandbox = { sandbox: EchoSandbox; api: ApiClient; dataDir: string; close(): Promise<void> };

export async function startTestSandbox(options: Partial<EchoSandboxOptions> = {}): Promise<TestSandbox> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "echo-sandbox-test-"));
  const sandbox = await startEchoSandbox({
    port: 0,
    apiKey: TEST_API_KEY,
    logLevel: process.env.TEST_LOG_LEVEL ?? "silent",
    retryScheduleMs: [50, 100, 200, 400],
    deliveryTimeoutMs: 2_000,
    ...options,
    dataDir,
  });
  return {
    sandbox,
    api: apiClient(sandbox.url, TEST_API_KEY),
    dataDir,
    async close() {
      await sandbox.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

let counter = 0;
export function sampleEvent(overrides: Partial<EchoEventCreate> = {}): EchoEventCreate {
  counter++;
  return {
    eventName: `Sample Gala ${counter}`,
    eventDate: "2031-05-17",
    eventTime: "18:30",
    endTime: "23:00",
    timezone: "America/New_York",
    venue: "Harborview Grand Hotel",
    room: "Grand Ballroom",
    guestCount: { expected: 220, guaranteed: 200 },
    contractStatus: "tentative",
    budget: { totalBudget: 45_000, currency: "USD" },
    clientName: "Amara Okafor",
    clientEmail: "amara.okafor@example.com",
    salesRepName: "Jordan Ellis",
    specialRequests: "12 vegetarian meals\nOne nut allergy at table 4",
    ...overrides,
  };
}

// Polls until `check` returns a value other than undefined/false, or fails after `timeoutMs`.
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 15_000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
