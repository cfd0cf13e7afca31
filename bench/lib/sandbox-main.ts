// The Echo CRM sandbox in its own process (BENCH_SANDBOX_DIR, BENCH_SANDBOX_PORT,
// BENCH_SANDBOX_KEY), so the load generator and the measured servers do not share an event loop.
import { startEchoSandbox } from "../../apps/echo-sandbox/src/sandbox-server.ts";
import { announceReady, serveIpc } from "./ipc.ts";

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const sandbox = await startEchoSandbox({
  dataDir: env("BENCH_SANDBOX_DIR"),
  port: Number(env("BENCH_SANDBOX_PORT")),
  apiKey: env("BENCH_SANDBOX_KEY"),
  logLevel: process.env.LOG_LEVEL ?? "warn",
  retryScheduleMs: [50, 100, 200, 400, 800, 1600, 3200],
  deliveryTimeoutMs: 5000,
});
serveIpc({}, () => sandbox.close());
announceReady({ url: sandbox.url });
