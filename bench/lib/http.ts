import { SANDBOX_KEY, WEBHOOK_SECRET, type MaestroProcess, type SandboxProcess } from "./bench-env.ts";
import { until } from "./stats.ts";

export type JsonResponse<T = any> = { status: number; body: T };

// JSON over fetch, for setup calls (not for measured requests).
export async function call<T = any>(
  method: string,
  url: string,
  key?: string,
  body?: unknown,
  timeoutMs = 60_000,
): Promise<JsonResponse<T>> {
  const res = await fetch(url, {
    method,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

export async function expectOk<T = any>(what: string, response: Promise<JsonResponse<T>>): Promise<T> {
  const r = await response;
  if (r.status < 200 || r.status >= 300)
    throw new Error(`${what}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 500)}`);
  return r.body;
}

// POST /api/echo-integration/initialize against the sandbox; optionally waits for the first full sync.
export async function initializeIntegration(
  maestro: MaestroProcess,
  sandbox: SandboxProcess,
  options: { waitForFullSync?: boolean; timeoutMs?: number } = {},
) {
  await expectOk(
    "initialize",
    call("POST", `${maestro.url}/api/echo-integration/initialize`, maestro.adminKey, {
      organizationId: "demo",
      echoCrmApiUrl: `${sandbox.url}/v1`,
      echoCrmApiKey: SANDBOX_KEY,
      maestroApiUrl: maestro.url,
      maestroApiKey: maestro.opsKey,
      webhookSecret: WEBHOOK_SECRET,
      syncDirection: "bidirectional",
      autoSync: false,
      syncInterval: 60,
      conflictResolution: "newest_wins",
    }),
  );
  if (options.waitForFullSync) await waitForFullSync(maestro, options.timeoutMs ?? 120_000);
}

export async function waitForFullSync(maestro: MaestroProcess, timeoutMs: number) {
  await until("the first full reconciliation", () => maestro.request<boolean>("reconcileDone"), timeoutMs, 20);
}

// Waits until Maestro's queue has nothing queued or running.
export async function waitForQueueDrained(maestro: MaestroProcess, timeoutMs: number, everyMs = 50) {
  await until(
    "Maestro's sync queue to drain",
    async () => {
      const counts = await maestro.request<Record<string, number>>("jobCounts");
      return (counts.queued ?? 0) + (counts.running ?? 0) === 0;
    },
    timeoutMs,
    everyMs,
  );
}
