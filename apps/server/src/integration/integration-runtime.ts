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
  health: {
    state: HealthState;
    lastCheckedAt: string | null;
    latencyMs: number | null;
    consecutiveFailures: number;
    // When the connection last left `healthy` (ms since the epoch), null while healthy.
    unhealthySince: number | null;
    // Set by an outage (`down`): from when its catch-up replays what was parked, null once done.
    catchUpFrom: number | null;
  };
};

export const allowsEchoToMaestro = (d: SyncDirection) => d !== "maestro_to_echo";
export const allowsMaestroToEcho = (d: SyncDirection) => d !== "echo_to_maestro";

// Organizations remembered as having no integration: any string a webhook's `?org=`
// names is looked up, and remembering every one would let anybody grow the
// process's memory without bound.
const ABSENT_REMEMBERED = 1000;

// How long a process trusts what it read of an organization's configuration.
// Several Maestro instances and workers may share one PostgreSQL, and a change
// made through one of them (integration disabled, webhook secret rotated, policy
// changed, a new organization initialized) must reach the others: each reads the
// row again after this long (one query per organization and period). The Echo
// client, with its circuit breaker's state, is kept while what it is built from
// (URL, key, secrets) is unchanged.
export const CONFIG_REVALIDATE_MS = 5_000;

type Cached = { entry: OrgIntegration; checkedAt: number };

// Decrypted configuration and an Echo client per organization, cached until the
// configuration changes. Secrets live only here, in memory, never in logs.
export class IntegrationRuntime {
  private readonly cache = new Map<string, Cached>();
  // Ids without an integration and when that was read, oldest first (a Map keeps insertion order).
  private readonly absent = new Map<string, number>();
  private readonly health = new Map<string, OrgIntegration["health"]>();
  // Bumped by invalidate(): a read that started before it is not cached.
  private generation = 0;

  constructor(
    private readonly configs: IntegrationConfigRepository,
    private readonly secretBox: () => SecretBox,
    private readonly allowedHosts: readonly string[],
    private readonly metrics: Metrics,
    private readonly timeoutMs = 5000,
    private readonly now: () => number = Date.now,
  ) {}

  // Pass the open transaction when called inside one (SQLite has a single connection).
  async get(orgId: string, db?: Db): Promise<OrgIntegration | undefined> {
    const now = this.now();
    const cached = this.cache.get(orgId);
    if (cached && now - cached.checkedAt < CONFIG_REVALIDATE_MS) return cached.entry;
    const absentSince = this.absent.get(orgId);
    if (!cached && absentSince !== undefined && now - absentSince < CONFIG_REVALIDATE_MS) return undefined;
    const generation = this.generation;
    const row = await this.configs.get(orgId, db);
    // Invalidated meanwhile: what was read may predate the change.
    if (generation !== this.generation) return this.get(orgId, db);
    // Another call read it meanwhile and is trusted: one entry (one Echo client) per organization.
    const current = this.cache.get(orgId);
    if (current && current !== cached && this.now() - current.checkedAt < CONFIG_REVALIDATE_MS) return current.entry;
    if (!row) {
      this.drop(orgId);
      this.absent.delete(orgId);
      if (this.absent.size >= ABSENT_REMEMBERED) this.absent.delete(this.absent.keys().next().value!);
      this.absent.set(orgId, now);
      return undefined;
    }
    this.absent.delete(orgId);
    if (current && sameConnection(current.entry.row, row)) {
      // Unchanged Echo connection: the entry (and its client) stays, with the rest read anew.
      Object.assign(current.entry, {
        row,
        enabled: row.enabled === 1,
        direction: row.syncDirection as SyncDirection,
        policy: row.conflictResolution as ConflictPolicy,
      });
      current.checkedAt = now;
      return current.entry;
    }
    const entry = this.build(orgId, row);
    this.drop(orgId);
    this.cache.set(orgId, { entry, checkedAt: now });
    return entry;
  }

  private build(orgId: string, row: IntegrationConfigsTable): OrgIntegration {
    const box = this.secretBox();
    const secrets = [box.decrypt(row.webhookSecretEnc)];
    if (row.previousWebhookSecretEnc) secrets.push(box.decrypt(row.previousWebhookSecretEnc));
    const health = this.health.get(orgId) ?? {
      state: "healthy" as HealthState,
      lastCheckedAt: null,
      latencyMs: null,
      consecutiveFailures: 0,
      unhealthySince: null,
      catchUpFrom: null,
    };
    this.health.set(orgId, health);
    return {
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
  }

  // Forgets the cached entry and closes its Echo client.
  private drop(orgId: string) {
    const cached = this.cache.get(orgId);
    this.cache.delete(orgId);
    if (cached) void cached.entry.client.close();
  }

  async enabledOrgIds(): Promise<string[]> {
    return (await this.configs.listEnabled()).map((r) => r.orgId);
  }

  invalidate(orgId: string) {
    this.generation++;
    this.drop(orgId);
    this.absent.delete(orgId);
  }

  async close() {
    for (const { entry } of this.cache.values()) await entry.client.close();
    this.cache.clear();
    this.absent.clear();
  }
}

// What an entry's Echo client and webhook verification are built from.
function sameConnection(a: IntegrationConfigsTable, b: IntegrationConfigsTable): boolean {
  return (
    a.echoApiUrl === b.echoApiUrl &&
    a.echoApiKeyEnc === b.echoApiKeyEnc &&
    a.webhookSecretEnc === b.webhookSecretEnc &&
    a.previousWebhookSecretEnc === b.previousWebhookSecretEnc
  );
}
