import type { Logger } from "pino";
import type { LiveBus } from "../live/live-bus.ts";
import type { Metrics } from "../observability/metrics.ts";
import { DEFAULT_ALERT_THRESHOLDS, type AlertService, type AlertThresholds } from "./alert.service.ts";
import type { BadSignatureTracker } from "./bad-signature-tracker.ts";
import type { ConflictRepository } from "./conflict.repository.ts";
import type { IntegrationConfigRepository } from "./integration-config.repository.ts";
import type { IntegrationRuntime, OrgIntegration } from "./integration-runtime.ts";
import type { IntegrationService } from "./integration.service.ts";
import { OUTBOUND_KINDS, type JobQueue } from "./job-queue.ts";
import type { SyncOperationRepository } from "./sync-operation.repository.ts";
import type { WebhookInbox } from "./webhook-inbox.ts";

export type SchedulerOptions = {
  healthCheckMs: number;
  tickMs: number;
  thresholds: AlertThresholds;
  inboxPayloadRetentionMs: number;
  historyRetentionMs: number;
};

export const DEFAULT_SCHEDULER_OPTIONS: SchedulerOptions = {
  healthCheckMs: 10_000,
  tickMs: 10_000,
  thresholds: DEFAULT_ALERT_THRESHOLDS,
  inboxPayloadRetentionMs: 24 * 60 * 60 * 1000,
  historyRetentionMs: 90 * 24 * 60 * 60 * 1000,
};

const LATENCY_DEGRADED_MS = 1500;

// Periodic work: Echo health checks (driving connection state), scheduled
// reconciliation, alert rules, and retention of raw payloads and history.
export class IntegrationScheduler {
  private timers: NodeJS.Timeout[] = [];
  private busy = new Set<string>();

  constructor(
    private readonly d: {
      runtime: IntegrationRuntime;
      configs: IntegrationConfigRepository;
      service: IntegrationService;
      alerts: AlertService;
      ops: SyncOperationRepository;
      conflicts: ConflictRepository;
      jobs: JobQueue;
      inbox: WebhookInbox;
      badSignatures: BadSignatureTracker;
      metrics: Metrics;
      live: LiveBus;
      logger: Logger;
      options: SchedulerOptions;
    },
  ) {}

  start() {
    const every = (ms: number, name: string, fn: () => Promise<void>) => {
      const t = setInterval(() => {
        if (this.busy.has(name)) return;
        this.busy.add(name);
        fn()
          .catch((err) => this.d.logger.error({ err }, `${name} failed`))
          .finally(() => this.busy.delete(name));
      }, ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.d.options.healthCheckMs, "health check", () => this.checkHealthAll());
    every(this.d.options.tickMs, "scheduler tick", () => this.tick());
    every(60 * 60 * 1000, "retention", () => this.prune());
  }

  stop() {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  async checkHealthAll() {
    for (const orgId of await this.d.runtime.enabledOrgIds()) {
      const integration = await this.d.runtime.get(orgId);
      if (integration) await this.checkHealth(integration);
    }
  }

  async checkHealth(integration: OrgIntegration) {
    const h = integration.health;
    const before = h.state;
    let next: typeof h.state;
    try {
      await integration.client.health();
      h.consecutiveFailures = 0;
      h.latencyMs = integration.client.latencyMs;
      next = integration.client.circuitOpen || (h.latencyMs ?? 0) > LATENCY_DEGRADED_MS ? "degraded" : "healthy";
    } catch {
      h.consecutiveFailures++;
      // One miss is a blip (degraded); two in a row, or an open circuit, is down.
      next = h.consecutiveFailures >= 2 || integration.client.circuitOpen ? "down" : "degraded";
    }
    // The alert is on record before the state that explains it becomes visible: whoever reads
    // `down` from the status route also finds the connectivity alert.
    try {
      if (next === "down") {
        await this.d.alerts.raise(
          integration.orgId,
          "echo_connectivity",
          "critical",
          "Echo CRM is unreachable: changes are queued and will sync when it is back",
        );
      }
    } finally {
      // Even when the alert cannot be stored (its database is away), the state is Echo's.
      h.state = next;
    }
    h.lastCheckedAt = new Date().toISOString();
    if (next === "healthy") h.unhealthySince = null;
    else h.unhealthySince ??= Date.now();
    // An outage is owed a catch-up when it is over (a mere `degraded` is not).
    if (next === "down") h.catchUpFrom ??= h.unhealthySince;
    if (next !== before) {
      this.d.logger.info({ orgId: integration.orgId, from: before, to: next }, "Echo connection state changed");
      this.d.live.publish({ orgId: integration.orgId, type: "sync.status", data: {} });
    }
    if (next === "healthy") {
      if (h.catchUpFrom !== null) {
        // Back from an outage: what Maestro sent in vain meanwhile (changes, BEO
        // approvals for sales) goes again, and what webhooks missed is caught up on.
        // Only jobs parked during this outage, from a check before it was noticed:
        // older ones were left parked by an operator, or their news is out of date.
        const since = new Date(h.catchUpFrom - 2 * this.d.options.healthCheckMs).toISOString();
        const replayed = await this.d.jobs.replayExhausted(integration.orgId, OUTBOUND_KINDS, since);
        if (replayed > 0)
          this.d.logger.info(
            { orgId: integration.orgId, replayed },
            "outbound jobs parked during the outage queued again",
          );
        await this.d.service.enqueueSync(integration.orgId, { full: false, trigger: "schedule" });
        // Only now: if the above failed (its database away), the next healthy check does it.
        h.catchUpFrom = null;
      }
      await this.d.alerts.resolve(integration.orgId, "echo_connectivity");
    }
  }

  private async tick() {
    const now = Date.now();
    for (const row of await this.d.configs.listEnabled()) {
      if (row.autoSync === 1 && (!row.nextSyncAt || Date.parse(row.nextSyncAt) <= now)) {
        await this.d.configs.update(row.orgId, { nextSyncAt: new Date(now + row.syncInterval * 60_000).toISOString() });
        await this.d.service.enqueueSync(row.orgId, { full: false, trigger: "schedule" });
      }
      await this.evaluateAlerts(row.orgId);
    }
    const counts = await this.d.jobs.counts();
    this.d.metrics.queueDepth.set((counts.queued ?? 0) + (counts.running ?? 0));
  }

  async evaluateAlerts(orgId: string) {
    const t = this.d.options.thresholds;
    const since = new Date(Date.now() - t.windowMs).toISOString();
    const recent = await this.d.ops.recent(orgId, since);
    const failed = recent.filter((o) => o.status === "failed").length;
    if (failed >= t.failedSyncs)
      await this.d.alerts.raise(
        orgId,
        "failed_syncs",
        "warning",
        `${failed} sync operations failed in the last ${Math.round(t.windowMs / 60000)} minutes`,
      );
    else await this.d.alerts.resolve(orgId, "failed_syncs");
    const conflicts = await this.d.conflicts.countSince(orgId, since);
    this.d.metrics.openConflicts.set(await this.d.conflicts.countOpen(orgId));
    if (recent.length >= t.conflictMinOperations && conflicts / recent.length >= t.conflictRate) {
      await this.d.alerts.raise(
        orgId,
        "high_conflict_rate",
        "warning",
        `${conflicts} conflicts in ${recent.length} sync operations: check who edits what on each side`,
      );
    } else await this.d.alerts.resolve(orgId, "high_conflict_rate");
    const bad = this.d.badSignatures.countSince(orgId, Date.now() - t.windowMs);
    if (bad >= t.badSignatures) {
      await this.d.alerts.raise(
        orgId,
        "bad_signatures",
        "critical",
        `${bad} webhook deliveries with bad signatures: the webhook secret may be wrong, or someone is probing the receiver`,
      );
    } else await this.d.alerts.resolve(orgId, "bad_signatures");
    // Pushes and Maestro's webhooks to Echo wait while a reconciliation runs: one that
    // keeps its lease alive but does not end (a stuck Echo paging, an enormous backlog) must be seen.
    const reconcilingSince = await this.d.jobs.runningSince(orgId, "reconcile");
    const runningMs = reconcilingSince ? Date.now() - Date.parse(reconcilingSince) : 0;
    if (reconcilingSince && runningMs >= t.reconciliationRunningMs) {
      await this.d.alerts.raise(
        orgId,
        "reconciliation_stuck",
        "warning",
        `A reconciliation has been running for ${Math.round(runningMs / 60_000)} minutes: changes to Echo wait until it ends`,
      );
    } else await this.d.alerts.resolve(orgId, "reconciliation_stuck");
  }

  // `now` is a parameter so tests can look at it from the future.
  async prune(now = Date.now()) {
    const payloads = await this.d.inbox.prunePayloads(
      new Date(now - this.d.options.inboxPayloadRetentionMs).toISOString(),
    );
    const history = await this.d.ops.pruneBefore(new Date(now - this.d.options.historyRetentionMs).toISOString());
    const jobs = await this.d.jobs.pruneDone(new Date(now - this.d.options.historyRetentionMs).toISOString());
    this.d.logger.info({ payloads, history, jobs }, "retention pruning done");
  }
}
