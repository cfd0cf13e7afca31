import pino, { type Logger } from "pino";

// Paths that may carry secrets or client personal data: never written to logs.
export const REDACT_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  "req.headers['x-csrf-token']",
  "req.headers['webhook-signature']",
  "res.headers['set-cookie']",
  "*.echoCrmApiKey",
  "*.maestroApiKey",
  "*.webhookSecret",
  "*.secret",
  "*.password",
  "*.clientEmail",
  "*.clientPhone",
  "*.key",
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    { level, redact: { paths: REDACT_PATHS, censor: "[redacted]" }, base: { service: "maestro" } },
    destination,
  );
}
