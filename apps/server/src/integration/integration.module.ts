import type { Logger } from "pino";
import type { AuthContext } from "../auth/auth-context.ts";
import type { BeoService } from "../beo/beo.service.ts";
import type { BeoRepository } from "../beo/beo.repository.ts";
import type { CalendarRepository } from "../calendar/calendar.repository.ts";
import type { CalendarService } from "../calendar/calendar.service.ts";
import type { SecretBox } from "../crypto/secret-box.ts";
import type { DatabaseHandle } from "../db/database.ts";
import { AppError, notFound } from "../http/errors.ts";
import type { LiveBus } from "../live/live-bus.ts";
import type { NotificationRepository } from "../notifications/notification.repository.ts";
import type { Metrics } from "../observability/metrics.ts";
import type { AuditLog } from "../org/audit-log.ts";
import type { OrganizationRepository } from "../org/organization.repository.ts";
import { AlertRepository } from "./alert.repository.ts";
import { AlertService } from "./alert.service.ts";
import { BadSignatureTracker } from "./bad-signature-tracker.ts";
import { ConflictResolutionService } from "./conflict-resolution.service.ts";
import { ConflictRepository } from "./conflict.repository.ts";
import { EchoEventsService } from "./echo-events.service.ts";
import { beoFieldsOfCanonical, type CanonicalField } from "./field-mapping.ts";
import { IntegrationConfigRepository } from "./integration-config.repository.ts";
import { IntegrationRuntime } from "./integration-runtime.ts";
import { DEFAULT_SCHEDULER_OPTIONS, IntegrationScheduler, type SchedulerOptions } from "./integration-scheduler.ts";
import { IntegrationService } from "./integration.service.ts";
import { JobQueue } from "./job-queue.ts";
import { MaestroWebhookSender } from "./maestro-webhook-sender.ts";
import { Outbox } from "./outbox.ts";
import { ReconciliationService } from "./reconciliation.service.ts";
import { SyncEngine } from "./sync-engine.ts";
import { SyncLinkRepository } from "./sync-link.repository.ts";
import { SyncOperationRepository } from "./sync-operation.repository.ts";
import { SyncWorker, type RetryPolicy } from "./sync-worker.ts";
import { PostgresInboxWriter } from "./postgres-inbox-writer.ts";
import { SqliteInboxWriter } from "./sqlite-inbox-writer.ts";
import { WebhookInbox } from "./webhook-inbox.ts";

export type IntegrationOptions = {
  allowedHosts: readonly string[];
  secretBox: () => SecretBox;
  alertWebhookUrl?: string;
  runWorker: boolean;
  runScheduler: boolean;
  retry?: RetryPolicy;
  scheduler?: Partial<SchedulerOptions>;
  echoTimeoutMs?: number;
  workerConcurrency?: number;
};

const SQLITE_WORKER_CONCURRENCY = 8;

type Core = {
  database: DatabaseHandle;
  beos: BeoService;
  beoRepo: BeoRepository;
  calendar: CalendarService;
  calendarRepo: CalendarRepository;
  notifications: NotificationRepository;
  orgs: OrganizationRepository;
  audit: AuditLog;
  live: LiveBus;
  metrics: Metrics;
  logger: Logger;
};

// Wires the Echo integration: inbox → queue → worker → engine → outbox, plus
// setup, status, alerts and the scheduler.
export function createIntegrationModule(core: Core, options: IntegrationOptions) {
  const { db, dialect } = core.database;
  const logger = core.logger.child({ component: "echo-integration" });
  const configs = new IntegrationConfigRepository(db);
  const runtime = new IntegrationRuntime(
    configs,
    options.secretBox,
    options.allowedHosts,
    core.metrics,
    options.echoTimeoutMs,
  );
  const jobs = new JobQueue(db, dialect);
  const links = new SyncLinkRepository(db, dialect);
  const ops = new SyncOperationRepository(db);
  const conflicts = new ConflictRepository(db);
  const alerts = new AlertService(
    new AlertRepository(db),
    core.notifications,
    core.live,
    logger,
    options.alertWebhookUrl,
  );
  const badSignatures = new BadSignatureTracker();
  let worker: SyncWorker | undefined;
  const nudge = () => worker?.nudge();
  const inboxWriter = core.database.sqliteFile
    ? new SqliteInboxWriter(core.database.sqliteFile, db, logger)
    : new PostgresInboxWriter(db);
  const inbox = new WebhookInbox(db, jobs, 256, nudge, inboxWriter);
  const engine = new SyncEngine({
    db,
    runtime,
    beos: core.beos,
    beoRepo: core.beoRepo,
    calendarRepo: core.calendarRepo,
    links,
    ops,
    conflicts,
    jobs,
    notifications: core.notifications,
    live: core.live,
    metrics: core.metrics,
    logger,
  });
  const sender = new MaestroWebhookSender(core.beos, ops);
  const service = new IntegrationService({
    db,
    configs,
    runtime,
    secretBox: options.secretBox,
    orgs: core.orgs,
    jobs,
    ops,
    conflicts,
    alerts,
    audit: core.audit,
    metrics: core.metrics,
    allowedHosts: options.allowedHosts,
    logger,
    nudge,
  });
  const reconciliation = new ReconciliationService(
    db,
    engine,
    configs,
    links,
    core.calendarRepo,
    conflicts,
    jobs,
    ops,
    alerts,
    logger,
    core.live,
  );
  const resolution = new ConflictResolutionService(
    db,
    conflicts,
    links,
    core.calendarRepo,
    core.beoRepo,
    core.beos,
    jobs,
    ops,
    core.audit,
    core.live,
  );
  const echoEvents = new EchoEventsService(db, core.calendarRepo, links, core.beoRepo, core.beos, jobs, runtime);
  const outbox = new Outbox(runtime, links, jobs);
  core.beos.onChange((trx, change) => outbox.onBeoChange(trx, change));
  core.beos.onChanges((trx, changes) => outbox.onBeoChanges(trx, changes));
  core.calendar.onUserChange((trx, before, after) => outbox.onCalendarChange(trx, before, after));
  core.beos.setFrozenFieldsLookup(async (orgId, beoId, db) =>
    (await conflicts.openForBeo(orgId, beoId, db)).flatMap((c) =>
      c.fields.flatMap((f) => beoFieldsOfCanonical(f.field as CanonicalField)),
    ),
  );
  // Wake the worker once a user change (and its outbox job) is committed. What the
  // worker announces about its own work needs no wake-up: finishing a job wakes it.
  // (During a first import, claims after every page walked thousands of held jobs.)
  core.live.subscribe((e) => {
    if ((e.type === "beo.changed" || e.type === "calendar.changed") && e.origin !== "sync") nudge();
  });
  if (options.runWorker) {
    // SQLite has one connection, taken in turn: each job in flight puts its queries
    // ahead of the webhook receiver's next write, and only Echo calls overlap. Fewer
    // jobs at a time keep acknowledgements fast.
    const concurrency = options.workerConcurrency ?? (dialect === "sqlite" ? SQLITE_WORKER_CONCURRENCY : undefined);
    worker = new SyncWorker({
      jobs,
      inbox,
      engine,
      sender,
      reconciliation,
      runtime,
      ops,
      metrics: core.metrics,
      logger,
      ...(options.retry ? { retry: options.retry } : {}),
      ...(concurrency ? { concurrency } : {}),
    });
  }
  const scheduler = new IntegrationScheduler({
    runtime,
    configs,
    service,
    alerts,
    ops,
    conflicts,
    jobs,
    inbox,
    badSignatures,
    metrics: core.metrics,
    live: core.live,
    logger,
    options: { ...DEFAULT_SCHEDULER_OPTIONS, ...options.scheduler },
  });

  return {
    configs,
    runtime,
    jobs,
    links,
    ops,
    conflicts,
    alerts,
    badSignatures,
    inbox,
    engine,
    service,
    reconciliation,
    resolution,
    echoEvents,
    scheduler,
    audit: core.audit,
    get worker() {
      return worker;
    },
    nudge,
    start() {
      worker?.start();
      if (options.runScheduler) scheduler.start();
    },
    async stop() {
      scheduler.stop();
      await worker?.stop();
      await runtime.close();
    },
    async requireIntegration(orgId: string) {
      const integration = await runtime.get(orgId);
      if (!integration)
        throw new AppError(409, "integration_not_configured", "the Echo integration is not initialized");
      return integration;
    },
    async replay(ctx: AuthContext, jobId: string) {
      if (!(await jobs.replay(ctx.orgId, jobId))) throw notFound("failed job");
      await core.audit.record(ctx, "sync.job_replayed", jobId, null);
      nudge();
    },
    // Per-minute throughput and latency for the last hour (status charts).
    async metricsSummary(orgId: string) {
      const since = new Date(Date.now() - 60 * 60 * 1000).toISOString();
      const recent = await ops.recent(orgId, since);
      const buckets = new Map<string, { succeeded: number; failed: number; durations: number[] }>();
      for (const op of recent) {
        const t = `${op.startedAt.slice(0, 16)}:00.000Z`;
        const b = buckets.get(t) ?? { succeeded: 0, failed: 0, durations: [] };
        if (op.status === "failed") b.failed++;
        else b.succeeded++;
        b.durations.push(op.durationMs);
        buckets.set(t, b);
      }
      const sorted = [...buckets.entries()].sort(([a], [b]) => a.localeCompare(b));
      const pct = (xs: number[], p: number) => {
        const s = [...xs].sort((a, b) => a - b);
        return s.length ? Math.round(s[Math.min(s.length - 1, Math.floor(p * s.length))]! * 10) / 10 : 0;
      };
      return {
        throughput: sorted.map(([t, b]) => ({ t, succeeded: b.succeeded, failed: b.failed })),
        latency: sorted.map(([t, b]) => ({ t, p50: pct(b.durations, 0.5), p99: pct(b.durations, 0.99) })),
      };
    },
  };
}
export type IntegrationModule = ReturnType<typeof createIntegrationModule>;
