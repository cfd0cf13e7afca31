import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { apiClient, sampleEvent, TEST_API_KEY, waitFor } from "../testing/sandbox-test-kit.ts";
import { startTestWebhookReceiver, type TestWebhookReceiver } from "../testing/test-webhook-receiver.ts";

// kill -9 of a sandbox process while it delivers webhooks: after a restart on
// the same data directory, every acknowledged event change reaches the receiver.

const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const SECRET = "crash-test-webhook-secret";

const children: ChildProcess[] = [];
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function spawnSandbox(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "apps/echo-sandbox/src/main.ts"], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      ECHO_SANDBOX_PORT: "0",
      DATA_DIR: dataDir,
      ECHO_SANDBOX_API_KEY: TEST_API_KEY,
      ECHO_SANDBOX_RETRY_SCHEDULE_MS: "50,100,200,400,800",
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  const stderr: string[] = [];
  child.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on("line", (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === "echo sandbox listening" && entry.url) resolve(entry.url);
      } catch {
        // not a log line
      }
    });
    child.once("exit", (code) => reject(new Error(`sandbox exited early (${code}): ${stderr.join("")}`)));
  });
  return { child, url };
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

describe("crash recovery", () => {
  it("delivers every acknowledged event change at least once after kill -9 and a restart", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "echo-sandbox-crash-"));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const receiver: TestWebhookReceiver = await startTestWebhookReceiver(SECRET);
    cleanups.push(() => receiver.close());

    const first = await spawnSandbox(dataDir);
    const api = apiClient(first.url, TEST_API_KEY);
    expect((await api("POST", "/v1/webhook-endpoints", { body: { url: receiver.url, secret: SECRET } })).status).toBe(
      201,
    );

    // Slow receiver; the 25th delivery triggers the kill and is never answered.
    let killing: Promise<void> | undefined;
    receiver.setResponder(() => {
      if (receiver.deliveries.length >= 25) {
        killing ??= killed(first.child);
        return { status: 200, delayMs: 60_000 };
      }
      return { status: 200, delayMs: 30 };
    });

    // Writers keep creating and updating events until the process dies.
    const changes = new Set<string>();
    let stop = false;
    const writer = async (w: number) => {
      for (let i = 0; !stop; i++) {
        try {
          const created = await api("POST", "/v1/events", { body: sampleEvent({ eventName: `Crash ${w}-${i}` }) });
          if (created.status !== 201) break;
          changes.add(`${created.body.id}@1`);
          const patched = await api("PATCH", `/v1/events/${created.body.id}`, {
            body: { guestCount: { guaranteed: 50 + i } },
          });
          if (patched.status !== 200) break;
          changes.add(`${created.body.id}@2`);
        } catch {
          break; // connection refused/reset: the sandbox is gone
        }
      }
    };
    const writers = Promise.all([0, 1, 2, 3].map(writer));
    await waitFor(() => killing !== undefined, 30_000, "the kill during delivery");
    await killing;
    stop = true;
    await writers;

    const deliveredBefore = new Set(
      receiver.acknowledged().map((d) => `${d.payload.data.event.id}@${d.payload.data.event.version}`),
    );
    expect(changes.size).toBeGreaterThan(deliveredBefore.size); // the kill really left work undone

    receiver.setResponder(() => ({ status: 200 }));
    const second = await spawnSandbox(dataDir);
    const delivered = () =>
      new Set(
        receiver
          .acknowledged()
          .filter((d) => d.verified)
          .map((d) => `${d.payload.data.event.id}@${d.payload.data.event.version}`),
      );
    await waitFor(
      () => [...changes].every((c) => delivered().has(c)),
      30_000,
      "every change to be delivered after the restart",
    );
    expect(receiver.deliveries.every((d) => d.verified)).toBe(true);

    const log = (await apiClient(second.url, TEST_API_KEY)("GET", "/_sandbox/deliveries?limit=10000")).body.data as {
      eventId: string;
      eventVersion: number;
    }[];
    const logged = new Set(log.map((l) => `${l.eventId}@${l.eventVersion}`));
    for (const change of changes) expect(logged.has(change) || deliveredBefore.has(change)).toBe(true);
    await killed(second.child);
  });
});
