import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ConflictPolicy, SyncDirection } from "@maestro/shared/integration.schema";
import { startEchoSandbox, type EchoSandbox } from "../../../echo-sandbox/src/sandbox-server.ts";
import { apiClient, startTestMaestro, type TestMaestro } from "./test-server.ts";

export const SANDBOX_KEY = "sync-test-sandbox-key";
export const WEBHOOK_SECRET = "whsec_" + Buffer.from("sync-test-webhook-secret-32bytes").toString("base64");

export type SyncKit = {
  maestro: TestMaestro;
  sandbox: EchoSandbox;
  admin: ReturnType<typeof apiClient>;
  echo: ReturnType<typeof apiClient>;
  // The sandbox's store; restartSandbox() starts a new sandbox on it, on the same port
  // (after a test stopped it with `kit.sandbox.close()`, to simulate an Echo outage).
  sandboxDir: string;
  restartSandbox(): Promise<EchoSandbox>;
  stop(): Promise<void>;
};

// Maestro and the Echo sandbox as two real servers over HTTP, the integration
// initialized between them, with short retry delays for tests.
export async function startSyncKit(
  options: {
    policy?: ConflictPolicy;
    direction?: SyncDirection;
    maestro?: Parameters<typeof startTestMaestro>[0];
    integration?: Parameters<typeof startTestMaestro>[2];
  } = {},
): Promise<SyncKit> {
  const sandboxDir = mkdtempSync(path.join(os.tmpdir(), "echo-sandbox-"));
  const sandboxOptions = {
    dataDir: sandboxDir,
    apiKey: SANDBOX_KEY,
    logLevel: process.env.TEST_LOG_LEVEL ?? "silent",
    retryScheduleMs: [50, 100, 200, 400, 800, 1600, 3200],
    deliveryTimeoutMs: 3000,
  };
  const sandbox = await startEchoSandbox({ ...sandboxOptions, port: 0 });
  const maestro = await startTestMaestro(
    {
      secretKey: "test-secret-key-0123456789abcdef",
      allowedHosts: [`127.0.0.1:${sandbox.port}`],
      ...options.maestro,
    },
    undefined,
    { retry: { baseMs: 50, maxMs: 1000 }, scheduler: { healthCheckMs: 500 }, ...options.integration },
  );
  const admin = apiClient(maestro.url, maestro.adminKey);
  const echo = apiClient(sandbox.url, SANDBOX_KEY);
  const init = await admin("POST", "/api/echo-integration/initialize", {
    organizationId: "demo",
    echoCrmApiUrl: `${sandbox.url}/v1`,
    echoCrmApiKey: SANDBOX_KEY,
    maestroApiUrl: maestro.url,
    maestroApiKey: maestro.keys.ops,
    webhookSecret: WEBHOOK_SECRET,
    syncDirection: options.direction ?? "bidirectional",
    autoSync: false,
    syncInterval: 15,
    conflictResolution: options.policy ?? "newest_wins",
  });
  if (init.status !== 200) throw new Error(`initialize failed: ${JSON.stringify(init.body)}`);
  const kit: SyncKit = {
    maestro,
    sandbox,
    admin,
    echo,
    sandboxDir,
    async restartSandbox() {
      await kit.sandbox.close();
      kit.sandbox = await startEchoSandbox({ ...sandboxOptions, port: sandbox.port });
      return kit.sandbox;
    },
    async stop() {
      await maestro.stop();
      await kit.sandbox.close();
      await sandbox.close();
      rmSync(sandboxDir, { recursive: true, force: true });
    },
  };
  return kit;
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}

// Waits until Maestro's queue is empty (nothing queued or running).
export async function settle(kit: SyncKit, timeoutMs = 20_000) {
  try {
    await waitFor(
      "the sync queue to drain",
      async () => {
        const counts = await kit.maestro.maestro.integration.jobs.counts();
        return (counts.queued ?? 0) + (counts.running ?? 0) === 0;
      },
      timeoutMs,
    );
  } catch (err) {
    const rows = await kit.maestro.maestro.integration.jobs.unfinished();
    throw new Error(`${(err as Error).message}; unfinished jobs: ${JSON.stringify(rows)}`);
  }
}

export const weddingEvent = {
  eventName: "Okafor–Reyes Wedding",
  eventDate: "2027-06-19",
  eventTime: "17:00",
  endTime: "23:30",
  timezone: "America/New_York",
  venue: "Grand Harbor Hotel",
  room: "Grand Ballroom",
  guestCount: { expected: 160, guaranteed: 150 },
  contractStatus: "tentative",
  budget: { totalBudget: 48000, currency: "USD" },
  clientName: "Chinwe Okafor",
  clientEmail: "chinwe@example.com",
  clientPhone: "+1 555 0100",
  salesRepName: "Maria Lopez",
  specialRequests: "Two vegan guests; one severe nut allergy (table 4).",
};
