import { resolve } from "node:path";
import { pino } from "pino";
import { DEFAULT_ECHO_SANDBOX_API_KEY, DEFAULT_ECHO_SANDBOX_PORT, startEchoSandbox } from "./sandbox-server.ts";

// `npm run start:echo-sandbox`: the sandbox alone, configured by environment.
const logger = pino({ level: process.env.LOG_LEVEL ?? "info", name: "echo-sandbox" });

function parseSchedule(value: string | undefined): number[] | undefined {
  if (!value) return undefined;
  const schedule = value.split(",").map((part) => Number(part.trim()));
  if (schedule.some((n) => !Number.isFinite(n) || n < 0))
    throw new Error("ECHO_SANDBOX_RETRY_SCHEDULE_MS must be comma-separated milliseconds");
  return schedule;
}

try {
  const port = process.env.ECHO_SANDBOX_PORT ? Number(process.env.ECHO_SANDBOX_PORT) : DEFAULT_ECHO_SANDBOX_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error("ECHO_SANDBOX_PORT must be a port number");
  const retryScheduleMs = parseSchedule(process.env.ECHO_SANDBOX_RETRY_SCHEDULE_MS);
  const sandbox = await startEchoSandbox({
    port,
    host: process.env.ECHO_SANDBOX_HOST ?? "127.0.0.1",
    dataDir: resolve(process.env.DATA_DIR ?? "./data"),
    apiKey: process.env.ECHO_SANDBOX_API_KEY || DEFAULT_ECHO_SANDBOX_API_KEY,
    logger,
    ...(retryScheduleMs ? { retryScheduleMs } : {}),
  });
  const shutdown = (signal: string) => {
    logger.info({ signal }, "echo sandbox shutting down");
    sandbox.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "echo sandbox shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
} catch (error) {
  logger.fatal({ err: error }, "echo sandbox failed to start");
  process.exit(1);
}
