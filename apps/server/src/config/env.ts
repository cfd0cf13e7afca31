import path from "node:path";
import proxyAddr from "@fastify/proxy-addr";
import { z } from "zod";

// Maestro's configuration, from the environment only (CONTRACT §2).
const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("127.0.0.1"),
  DATA_DIR: z.string().default("./data"),
  DATABASE_URL: z.string().optional(),
  MAESTRO_ADMIN_API_KEY: z.string().min(16, "MAESTRO_ADMIN_API_KEY must be at least 16 characters").optional(),
  MAESTRO_SECRET_KEY: z.string().min(16, "MAESTRO_SECRET_KEY must be at least 16 characters").optional(),
  MAESTRO_PREVIOUS_SECRET_KEYS: z.string().optional(),
  TRUST_PROXY: z.string().default("false"),
  INTEGRATION_ALLOWED_HOSTS: z.string().optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  TLS_CERT_FILE: z.string().optional(),
  TLS_KEY_FILE: z.string().optional(),
  BEO_SET_OVERAGE_PERCENT: z.coerce.number().min(0).max(100).default(3),
  ALERT_WEBHOOK_URL: z.string().optional(),
  WORKER_ENABLED: z.enum(["true", "false"]).default("true"),
  API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(6000),
  INBOX_PAYLOAD_RETENTION_HOURS: z.coerce.number().min(0).default(24),
  HISTORY_RETENTION_DAYS: z.coerce.number().min(1).default(90),
  ALERT_FAILED_SYNCS: z.coerce.number().int().min(1).default(5),
  ALERT_CONFLICT_RATE: z.coerce.number().min(0).max(1).default(0.2),
  ALERT_BAD_SIGNATURES: z.coerce.number().int().min(1).default(20),
  ALERT_WINDOW_MINUTES: z.coerce.number().min(1).default(15),
  ALERT_RECONCILIATION_MINUTES: z.coerce.number().min(1).default(30),
});

export type MaestroConfig = {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  adminApiKey?: string;
  secretKey?: string;
  // Older key-encryption keys, still accepted for decryption during a rotation.
  previousSecretKeys: string[];
  trustProxy: TrustProxy;
  allowedHosts: string[];
  logLevel: string;
  tls?: { certFile: string; keyFile: string };
  beoSetOveragePercent: number;
  alertWebhookUrl?: string;
  runWorker: boolean;
  apiRateLimitPerMinute: number;
  retention: { inboxPayloadMs: number; historyMs: number };
  alertThresholds: {
    failedSyncs: number;
    conflictRate: number;
    conflictMinOperations: number;
    badSignatures: number;
    windowMs: number;
    reconciliationRunningMs: number;
  };
};

// Which proxies in front of Maestro may tell the client's address (X-Forwarded-For)
// and protocol (X-Forwarded-Proto). false: none, the socket's peer is the client.
// A number: that many proxies in a row (TRUST_PROXY=true is one); the client is
// the address the outermost of them saw, whatever a client wrote into the header
// itself. A list: the proxies' addresses or CIDR ranges (or `loopback`,
// `linklocal`, `uniquelocal`).
export type TrustProxy = false | number | string[];

export function parseTrustProxy(raw: string): TrustProxy {
  const value = raw.trim().toLowerCase();
  if (value === "" || value === "false" || value === "0") return false;
  if (value === "true") return 1;
  if (/^\d+$/.test(value)) return Math.min(Number(value), 32);
  const list = value
    .split(",")
    .map((a) => a.trim())
    .filter(Boolean);
  try {
    proxyAddr.compile(list);
  } catch (err) {
    throw new Error(
      `invalid configuration: TRUST_PROXY: ${(err as Error).message} (expected false, true, a number of proxies, or their addresses/CIDR ranges separated by commas)`,
    );
  }
  return list;
}

// The address of the client a trusted proxy saw, or the socket's peer.
export function trustedProxies(trust: TrustProxy): ((address: string, hop: number) => boolean) | undefined {
  if (trust === false) return undefined;
  if (typeof trust === "number") return (_address, hop) => hop < trust;
  return proxyAddr.compile(trust);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): MaestroConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.DATA_DIR),
    ...(e.DATABASE_URL ? { databaseUrl: e.DATABASE_URL } : {}),
    ...(e.MAESTRO_ADMIN_API_KEY ? { adminApiKey: e.MAESTRO_ADMIN_API_KEY } : {}),
    ...(e.MAESTRO_SECRET_KEY ? { secretKey: e.MAESTRO_SECRET_KEY } : {}),
    previousSecretKeys: (e.MAESTRO_PREVIOUS_SECRET_KEYS ?? "")
      .split(",")
      .map((k) => k.trim())
      .filter(Boolean),
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    allowedHosts: (e.INTEGRATION_ALLOWED_HOSTS ?? "")
      .split(",")
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
    logLevel: e.LOG_LEVEL,
    ...(e.TLS_CERT_FILE && e.TLS_KEY_FILE ? { tls: { certFile: e.TLS_CERT_FILE, keyFile: e.TLS_KEY_FILE } } : {}),
    beoSetOveragePercent: e.BEO_SET_OVERAGE_PERCENT,
    ...(e.ALERT_WEBHOOK_URL ? { alertWebhookUrl: e.ALERT_WEBHOOK_URL } : {}),
    runWorker: e.WORKER_ENABLED === "true",
    apiRateLimitPerMinute: e.API_RATE_LIMIT_PER_MINUTE,
    retention: {
      inboxPayloadMs: e.INBOX_PAYLOAD_RETENTION_HOURS * 3_600_000,
      historyMs: e.HISTORY_RETENTION_DAYS * 86_400_000,
    },
    alertThresholds: {
      failedSyncs: e.ALERT_FAILED_SYNCS,
      conflictRate: e.ALERT_CONFLICT_RATE,
      conflictMinOperations: 10,
      badSignatures: e.ALERT_BAD_SIGNATURES,
      windowMs: e.ALERT_WINDOW_MINUTES * 60_000,
      reconciliationRunningMs: e.ALERT_RECONCILIATION_MINUTES * 60_000,
    },
  };
}
