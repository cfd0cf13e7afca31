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

// Decrypted configuration and an Echo client per organization, cached until the
// configuration changes. Secrets live only here, in memory, never in logs.
export class IntegrationRuntime {
  private readonly cache = new Map<string, OrgIntegration | null>();
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
    if (this.cache.has(orgId)) return this.cache.get(orgId) ?? undefined;
    const row = await this.configs.get(orgId, db);
    if (!row) {
      this.cache.set(orgId, null);
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
    if (entry) void entry.client.close();
  }

  async close() {
    for (const entry of this.cache.values()) if (entry) await entry.client.close();
    this.cache.clear();
  }
}
