import type { ConflictPolicy, HealthState, SyncDirection } from "@maestro/shared/integration.schema";
import type { SecretBox } from "../crypto/secret-box.ts";
import type { Db, IntegrationConfigsTable } from "../db/schema.ts";
import type { Metrics } from "../observability/metrics.ts";
import { EchoClient } from "./echo-client.ts";
import type { IntegrationConfigRepository } from "./integration-config.repository.ts";

export type OrgIntegration = {
  orgId: string;
  row: IntegrationConfigsTable;
  enabled: boolean;
  direction: SyncDirection;
  policy: ConflictPolicy;
  client: EchoClient;
  // Current secret first; the previous one verifies during a rotation.
  webhookSecrets: string[];
  echoOrigin: string;
  health: { state: HealthState; lastCheckedAt: string | null; latencyMs: number | null; consecutiveFailures: number };
};

export const allowsEchoToMaestro = (d: SyncDirection) => d !== "maestro_to_echo";
export const allowsMaestroToEcho = (d: SyncDirection) => d !== "echo_to_maestro";

// Organizations remembered as having no integration: any string a webhook's `?org=`
// names is looked up, and remembering every one would let anybody grow the
// process's memory without bound.
const ABSENT_REMEMBERED = 1000;

// Decrypted configuration and an Echo client per organization, cached until the
// configuration changes. Secrets live only here, in memory, never in logs.
export class IntegrationRuntime {
  private readonly cache = new Map<string, OrgIntegration>();
  // Ids without an integration, oldest first (a Set keeps insertion order).
  private readonly absent = new Set<string>();
  private readonly health = new Map<string, OrgIntegration["health"]>();

  constructor(
    private readonly configs: IntegrationConfigRepository,
    private readonly secretBox: () => SecretBox,
    private readonly allowedHosts: readonly string[],
    private readonly metrics: Metrics,
    private readonly timeoutMs = 5000,
  ) {}

  // Pass the open transaction when called inside one (SQLite has a single connection).
  async get(orgId: string, db?: Db): Promise<OrgIntegration | undefined> {
    const cached = this.cache.get(orgId);
    if (cached || this.absent.has(orgId)) return cached;
    const row = await this.configs.get(orgId, db);
    if (!row) {
      if (this.absent.size >= ABSENT_REMEMBERED) this.absent.delete(this.absent.values().next().value!);
      this.absent.add(orgId);
      return undefined;
    }
    const box = this.secretBox();
    const secrets = [box.decrypt(row.webhookSecretEnc)];
    if (row.previousWebhookSecretEnc) secrets.push(box.decrypt(row.previousWebhookSecretEnc));
    const health = this.health.get(orgId) ?? {
      state: "healthy" as HealthState,
      lastCheckedAt: null,
      latencyMs: null,
      consecutiveFailures: 0,
    };
    this.health.set(orgId, health);
    const entry: OrgIntegration = {
      orgId,
      row,
      enabled: row.enabled === 1,
      direction: row.syncDirection as SyncDirection,
      policy: row.conflictResolution as ConflictPolicy,
      client: new EchoClient({
        baseUrl: row.echoApiUrl,
        apiKey: box.decrypt(row.echoApiKeyEnc),
        allowedHosts: this.allowedHosts,
        metrics: this.metrics,
        timeoutMs: this.timeoutMs,
      }),
      webhookSecrets: secrets,
      echoOrigin: new URL(row.echoApiUrl).origin,
      health,
    };
    this.cache.set(orgId, entry);
    return entry;
  }

  async enabledOrgIds(): Promise<string[]> {
    return (await this.configs.listEnabled()).map((r) => r.orgId);
  }

  invalidate(orgId: string) {
    const entry = this.cache.get(orgId);
    this.cache.delete(orgId);
    this.absent.delete(orgId);
    if (entry) void entry.client.close();
  }

  async close() {
    for (const entry of this.cache.values()) await entry.client.close();
    this.cache.clear();
    this.absent.clear();
  }
}
