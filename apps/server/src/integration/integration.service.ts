import type { SyncConfiguration, SyncStatus } from "@maestro/shared/integration.schema";
import { syncConfigurationPatchSchema } from "@maestro/shared/integration.schema";
import type { z } from "zod";
import type { Logger } from "pino";
import type { AuthContext } from "../auth/auth-context.ts";
import type { SecretBox } from "../crypto/secret-box.ts";
import type { Db, IntegrationConfigsTable } from "../db/schema.ts";
import { AppError, invalidInput } from "../http/errors.ts";
import type { Metrics } from "../observability/metrics.ts";
import type { AuditLog } from "../org/audit-log.ts";
import type { OrganizationRepository } from "../org/organization.repository.ts";
import type { AlertService } from "./alert.service.ts";
import type { ConflictRepository } from "./conflict.repository.ts";
import { testEchoConnection } from "./connection-test.ts";
import { EchoClient } from "./echo-client.ts";
import type { IntegrationConfigRepository } from "./integration-config.repository.ts";
import type { IntegrationRuntime } from "./integration-runtime.ts";
import { RECONCILE_KEY, type JobQueue } from "./job-queue.ts";
import type { SyncOperationRepository } from "./sync-operation.repository.ts";

export const MAESTRO_WEBHOOK_RECEIVER_PATH = "/api/echo-integration/webhooks/echo-crm";

const mask = (secret: string) => (secret.length > 8 ? `••••••••${secret.slice(-4)}` : "••••••••");

// Setup and control of an organization's integration: initialize, configure, status, manual sync.
export class IntegrationService {
  constructor(
    private readonly d: {
      db: Db;
      configs: IntegrationConfigRepository;
      runtime: IntegrationRuntime;
      secretBox: () => SecretBox;
      orgs: OrganizationRepository;
      jobs: JobQueue;
      ops: SyncOperationRepository;
      conflicts: ConflictRepository;
      alerts: AlertService;
      audit: AuditLog;
      metrics: Metrics;
      allowedHosts: readonly string[];
      logger: Logger;
      nudge: () => void;
    },
  ) {}

  private box(): SecretBox {
    try {
      return this.d.secretBox();
    } catch {
      throw new AppError(
        400,
        "invalid_input",
        "MAESTRO_SECRET_KEY is not configured: the server cannot store the integration's secrets",
      );
    }
  }

  async initialize(ctx: AuthContext, input: SyncConfiguration): Promise<{ status: SyncStatus }> {
    const org = await this.d.orgs.findById(ctx.orgId);
    if (!org || (input.organizationId !== org.id && input.organizationId !== org.slug)) {
      throw invalidInput("organizationId is not your organization", [
        { path: "organizationId", message: `expected ${org?.slug ?? ctx.orgId}` },
      ]);
    }
    const box = this.box();
    const { latencyMs } = await testEchoConnection(
      input.echoCrmApiUrl,
      input.echoCrmApiKey,
      this.d.allowedHosts,
      this.d.metrics,
    );
    const existing = await this.d.configs.get(ctx.orgId);
    const now = new Date().toISOString();
    const row: IntegrationConfigsTable = {
      orgId: ctx.orgId,
      echoApiUrl: input.echoCrmApiUrl,
      echoApiKeyEnc: box.encrypt(input.echoCrmApiKey),
      maestroApiUrl: input.maestroApiUrl,
      maestroApiKeyEnc: box.encrypt(input.maestroApiKey),
      webhookSecretEnc: box.encrypt(input.webhookSecret),
      previousWebhookSecretEnc:
        existing && box.decrypt(existing.webhookSecretEnc) !== input.webhookSecret ? existing.webhookSecretEnc : null,
      syncDirection: input.syncDirection,
      autoSync: input.autoSync ? 1 : 0,
      syncInterval: input.syncInterval,
      conflictResolution: input.conflictResolution,
      enabled: 1,
      echoEndpointId: existing?.echoEndpointId ?? null,
      // Reconfiguring keeps the data and the sync cursor (links, history, conflicts stay).
      syncCursor: existing && existing.echoApiUrl === input.echoCrmApiUrl ? existing.syncCursor : null,
      lastSyncAt: existing?.lastSyncAt ?? null,
      nextSyncAt: input.autoSync ? new Date(Date.now() + input.syncInterval * 60_000).toISOString() : null,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    // Echo first: a registration Echo refuses leaves the stored configuration (and Echo's working endpoint) as they were.
    row.echoEndpointId = await this.registerEndpoint(
      ctx.orgId,
      row,
      input.echoCrmApiKey,
      input.webhookSecret,
      existing?.echoEndpointId ?? null,
      existing?.echoApiUrl,
    );
    await this.d.configs.upsert(row);
    this.d.runtime.invalidate(ctx.orgId);
    const health = (await this.d.runtime.get(ctx.orgId))!.health;
    Object.assign(health, {
      state: "healthy",
      lastCheckedAt: new Date().toISOString(),
      latencyMs,
      consecutiveFailures: 0,
    });
    await this.d.audit.record(ctx, existing ? "integration.reconfigured" : "integration.initialized", ctx.orgId, {
      echoCrmApiUrl: input.echoCrmApiUrl,
      syncDirection: input.syncDirection,
      conflictResolution: input.conflictResolution,
    });
    await this.enqueueSync(ctx.orgId, { full: true, trigger: "manual" });
    return { status: await this.status(ctx.orgId) };
  }

  // Echo is told where to send webhooks; returns the endpoint's id, for the caller to store.
  // The new registration comes first, the previous one is removed only once it exists:
  // a refused registration never leaves Echo without a working endpoint.
  private async registerEndpoint(
    orgId: string,
    row: IntegrationConfigsTable,
    apiKey: string,
    secret: string,
    previousId: string | null,
    previousUrl?: string,
  ): Promise<string> {
    const client = new EchoClient({
      baseUrl: row.echoApiUrl,
      apiKey,
      allowedHosts: this.d.allowedHosts,
      metrics: this.d.metrics,
    });
    try {
      const url = `${row.maestroApiUrl.replace(/\/+$/, "")}${MAESTRO_WEBHOOK_RECEIVER_PATH}?org=${encodeURIComponent(orgId)}`;
      const endpoint = await client.createWebhookEndpoint({ url, secret });
      if (previousId && previousId !== endpoint.id && previousUrl === row.echoApiUrl)
        await client.deleteWebhookEndpoint(previousId).catch(() => undefined);
      return endpoint.id;
    } catch (err) {
      throw new AppError(400, "echo_rejected", `Echo refused the webhook registration: ${(err as Error).message}`);
    } finally {
      await client.close();
    }
  }

  async getConfig(orgId: string) {
    const row = await this.d.configs.get(orgId);
    if (!row) throw new AppError(404, "integration_not_configured", "the Echo integration is not initialized");
    const box = this.box();
    return {
      organizationId: orgId,
      echoCrmApiUrl: row.echoApiUrl,
      echoCrmApiKey: mask(box.decrypt(row.echoApiKeyEnc)),
      maestroApiUrl: row.maestroApiUrl,
      maestroApiKey: mask(box.decrypt(row.maestroApiKeyEnc)),
      webhookSecret: "••••••••",
      syncDirection: row.syncDirection,
      autoSync: row.autoSync === 1,
      syncInterval: row.syncInterval,
      conflictResolution: row.conflictResolution,
      enabled: row.enabled === 1,
      echoWebhookEndpointId: row.echoEndpointId,
      secretKeyId: box.keyIdOf(row.echoApiKeyEnc),
      updatedAt: row.updatedAt,
    };
  }

  async patchConfig(ctx: AuthContext, patch: z.output<typeof syncConfigurationPatchSchema>) {
    const row = await this.d.configs.get(ctx.orgId);
    if (!row) throw new AppError(404, "integration_not_configured", "the Echo integration is not initialized");
    const box = this.box();
    const apiKey = patch.echoCrmApiKey ?? box.decrypt(row.echoApiKeyEnc);
    const url = patch.echoCrmApiUrl ?? row.echoApiUrl;
    const secret = patch.webhookSecret ?? box.decrypt(row.webhookSecretEnc);
    const connectionChanged = patch.echoCrmApiUrl !== undefined || patch.echoCrmApiKey !== undefined;
    if (connectionChanged) await testEchoConnection(url, apiKey, this.d.allowedHosts, this.d.metrics);
    const secretChanged =
      patch.webhookSecret !== undefined && patch.webhookSecret !== box.decrypt(row.webhookSecretEnc);
    const next: IntegrationConfigsTable = {
      ...row,
      echoApiUrl: url,
      echoApiKeyEnc: patch.echoCrmApiKey !== undefined ? box.encrypt(apiKey) : row.echoApiKeyEnc,
      maestroApiUrl: patch.maestroApiUrl ?? row.maestroApiUrl,
      maestroApiKeyEnc: patch.maestroApiKey !== undefined ? box.encrypt(patch.maestroApiKey) : row.maestroApiKeyEnc,
      webhookSecretEnc: secretChanged ? box.encrypt(secret) : row.webhookSecretEnc,
      // The old secret keeps verifying while Echo switches over.
      previousWebhookSecretEnc: secretChanged ? row.webhookSecretEnc : row.previousWebhookSecretEnc,
      syncDirection: patch.syncDirection ?? row.syncDirection,
      autoSync: patch.autoSync === undefined ? row.autoSync : patch.autoSync ? 1 : 0,
      syncInterval: patch.syncInterval ?? row.syncInterval,
      conflictResolution: patch.conflictResolution ?? row.conflictResolution,
      enabled: patch.enabled === undefined ? row.enabled : patch.enabled ? 1 : 0,
      updatedAt: new Date().toISOString(),
    };
    // Echo first, as in initialize: a refused registration stores nothing.
    if (connectionChanged || secretChanged || patch.maestroApiUrl !== undefined) {
      next.echoEndpointId = await this.registerEndpoint(
        ctx.orgId,
        next,
        apiKey,
        secret,
        row.echoEndpointId,
        row.echoApiUrl,
      );
    }
    await this.d.configs.upsert(next);
    this.d.runtime.invalidate(ctx.orgId);
    const changed = Object.keys(patch).filter((k) => !["echoCrmApiKey", "maestroApiKey", "webhookSecret"].includes(k));
    const secretsChanged = ["echoCrmApiKey", "maestroApiKey", "webhookSecret"].filter((k) => k in patch);
    await this.d.audit.record(ctx, "integration.config_changed", ctx.orgId, { changed, secretsChanged });
    // Re-enabled: catch up on what happened while it was off.
    if (patch.enabled === true && row.enabled === 0)
      await this.enqueueSync(ctx.orgId, { full: false, trigger: "manual" });
    return this.getConfig(ctx.orgId);
  }

  async enqueueSync(
    orgId: string,
    options: { full: boolean; trigger: "manual" | "schedule"; direction?: string },
  ): Promise<string> {
    const op = await this.d.ops.record(orgId, {
      direction: options.direction === "maestro_to_echo" ? "maestro_to_echo" : "echo_to_maestro",
      trigger: options.trigger,
      status: "pending",
      changes: [],
      reason: options.full ? "full reconciliation queued" : "incremental reconciliation queued",
    });
    await this.d.jobs.enqueue(
      orgId,
      "reconcile",
      RECONCILE_KEY,
      {
        full: options.full,
        trigger: options.trigger,
        operationId: op.id,
        ...(options.direction ? { direction: options.direction } : {}),
      },
      undefined,
      { maxAttempts: 5 },
    );
    this.d.nudge();
    return op.id;
  }

  async status(orgId: string): Promise<SyncStatus> {
    const row = await this.d.configs.get(orgId);
    const integration = row ? await this.d.runtime.get(orgId) : undefined;
    const [counts, jobs, conflicts, alerts] = await Promise.all([
      this.d.ops.countByStatus(orgId),
      this.d.jobs.counts(orgId),
      this.d.conflicts.countOpen(orgId),
      this.d.alerts.open(orgId),
    ]);
    return {
      enabled: row?.enabled === 1,
      connection: {
        echoCrm: integration?.health.state ?? "down",
        lastCheckedAt: integration?.health.lastCheckedAt ?? null,
        latencyMs: integration?.health.latencyMs ?? null,
      },
      lastSyncAt: row?.lastSyncAt ?? null,
      nextSyncAt: row?.autoSync ? row.nextSyncAt : null,
      counts: {
        synced: counts.succeeded ?? 0,
        pending: (jobs.queued ?? 0) + (jobs.running ?? 0),
        failed: jobs.failed ?? 0,
        conflicts,
      },
      alerts,
    };
  }
}
