import { EventEmitter } from "node:events";
import { hostname } from "node:os";
import { echoEventSchema, maestroWebhookEventTypeSchema, type EchoCRMEvent } from "@maestro/shared/echo-event.schema";
import { echoWebhookPayloadSchema, fieldChangeSchema } from "@maestro/shared/integration.schema";
import { newId } from "@maestro/shared/ids";
import { z } from "zod";
import type { Logger } from "pino";
import type { Metrics } from "../observability/metrics.ts";
import { CIRCUIT_HALF_OPEN_MS, EchoError } from "./echo-client.ts";
import type { IntegrationRuntime } from "./integration-runtime.ts";
import { LEASE_MS, type ClaimedJob, type Job, type JobQueue } from "./job-queue.ts";
import type { MaestroWebhookSender } from "./maestro-webhook-sender.ts";
import type { ReconciliationService } from "./reconciliation.service.ts";
import { NonRetryableSyncError, parseJsonOrUndefined, type SyncEngine, type Trigger } from "./sync-engine.ts";
import type { SyncOperationRepository } from "./sync-operation.repository.ts";
import type { WebhookInbox } from "./webhook-inbox.ts";

export type RetryPolicy = { baseMs: number; maxMs: number };
export const DEFAULT_RETRY: RetryPolicy = { baseMs: 1000, maxMs: 5 * 60_000 };

const triggerSchema = z.enum(["webhook", "schedule", "manual", "beo_change"]);
const payloads = {
  echo_change: z.object({ webhookId: z.string().optional(), event: echoEventSchema.optional(), source: triggerSchema }),
  push: z.object({ echoEventId: z.string(), trigger: triggerSchema }),
  maestro_webhook: z.object({
    beoId: z.string(),
    type: maestroWebhookEventTypeSchema,
    webhookId: z.string(),
    changes: z.array(fieldChangeSchema).optional(),
  }),
  reconcile: z.object({
    full: z.boolean(),
    trigger: triggerSchema,
    operationId: z.string().optional(),
    direction: z.string().optional(),
  }),
};

// dispatch() finished the job in the change's own transaction.
const COMPLETED = Symbol("completed");
// Echo snapshots of one event queued behind each other are merged once, newest first.
const MAX_COALESCED = 500;
// Webhooks pouring in (this many stored within the last 200–400 ms, some 500–1,000/s):
// the receiver goes first, the worker runs one group at a time and then rests four
// times as long as it worked, so at most a fifth of the process goes to merging.
// The backlog it leaves is merged when the burst is over, with heavy coalescing.
const PRESSURE_DELIVERIES = 200;
const PRESSURE_REST_FACTOR = 4;
const PRESSURE_MAX_REST_MS = 500;

// Exponential backoff with full jitter; Echo's Retry-After is a floor.
export function retryDelay(attempt: number, policy: RetryPolicy, retryAfterMs?: number): number {
  const cap = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = cap / 2 + Math.random() * (cap / 2);
  return Math.max(jittered, retryAfterMs ?? 0);
}

// Runs queued jobs: in order per Echo event, in parallel across events.
export class SyncWorker {
  readonly id = `${hostname()}:${process.pid}:${newId("w").slice(-6)}`;
  private readonly wake = new EventEmitter();
  private running = false;
  private loop: Promise<void> | undefined;
  private inFlight = 0;
  // The jobs this worker runs right now, by seq: their leases are renewed.
  private readonly held = new Set<number>();
  // After a nudge, look again quickly a few times: the enqueuing transaction may still be committing.
  private eagerPolls = 0;
  // Under ingest pressure: no new work before this time (performance.now()).
  private restUntil = 0;
  // Wake-ups so far (nudges, finished jobs): one that comes while a claim is under
  // way, with nobody waiting yet, must still keep the loop from going to sleep.
  private wakes = 0;

  constructor(
    private readonly deps: {
      jobs: JobQueue;
      inbox: WebhookInbox;
      engine: SyncEngine;
      sender: MaestroWebhookSender;
      reconciliation: ReconciliationService;
      runtime: IntegrationRuntime;
      ops: SyncOperationRepository;
      metrics: Metrics;
      logger: Logger;
      concurrency?: number;
      pollMs?: number;
      retry?: RetryPolicy;
    },
  ) {}

  start() {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop() {
    this.running = false;
    this.signal();
    await this.loop;
  }

  // Called after an enqueue in this process: no need to wait for the next poll.
  nudge() {
    this.eagerPolls = 5;
    this.signal();
  }

  private signal() {
    this.wakes++;
    this.wake.emit("wake");
  }

  get busy() {
    return this.inFlight > 0;
  }

  private async run() {
    const concurrency = this.deps.concurrency ?? 8;
    const pollMs = this.deps.pollMs ?? 200;
    const active = new Set<Promise<void>>();
    try {
      const released = await this.deps.jobs.releaseAbandoned();
      if (released > 0) this.deps.logger.warn({ released }, "jobs left running by a previous process are queued again");
    } catch (err) {
      this.deps.logger.error({ err }, "releasing abandoned jobs failed");
    }
    const renewal = setInterval(() => {
      this.deps.jobs
        .renew(this.id, [...this.held])
        .catch((err: unknown) => this.deps.logger.warn({ err }, "renewing job leases failed"));
    }, LEASE_MS / 3);
    renewal.unref();
    while (this.running) {
      let claimed: ClaimedJob[] = [];
      const wakesBefore = this.wakes;
      const pressured = this.deps.inbox.recentlyStored() >= PRESSURE_DELIVERIES;
      const limit = pressured ? 1 : concurrency;
      const resting = pressured && performance.now() < this.restUntil;
      // Claims come in batches (half the slots free): a claim costs a statement and a commit.
      if (active.size <= Math.floor(limit / 2) && !resting) {
        try {
          claimed = await this.deps.jobs.claim(this.id, limit - active.size, { coalesce: MAX_COALESCED });
        } catch (err) {
          this.deps.logger.error({ err }, "claiming jobs failed");
        }
        // What the nudge announced is found: no quick looks again for it.
        if (claimed.length > 0) this.eagerPolls = 0;
      }
      for (const job of claimed) {
        const started = performance.now();
        const p = this.execute(job).finally(() => {
          const now = performance.now();
          this.restUntil = now + Math.min(PRESSURE_MAX_REST_MS, (now - started) * PRESSURE_REST_FACTOR);
          active.delete(p);
          this.signal();
        });
        active.add(p);
      }
      // A claim takes every job it can (fewer than asked: none is left to take now), so
      // the next one waits for a job to finish, a nudge or the poll — unless one of
      // those came meanwhile. (Claiming again at once, and again after each nudge even
      // when its job was found, made three to four claims per merge at 200
      // deliveries/s, most of them empty.)
      if (this.wakes === wakesBefore) {
        const wait = resting
          ? Math.max(1, Math.ceil(this.restUntil - performance.now()))
          : claimed.length === 0 && this.eagerPolls > 0 && active.size < limit
            ? (this.eagerPolls--, 2)
            : pollMs;
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            this.wake.off("wake", done);
            resolve();
          };
          const timer = setTimeout(done, wait);
          this.wake.on("wake", done);
        });
      }
    }
    await Promise.allSettled(active);
    clearInterval(renewal);
  }

  private async execute(job: ClaimedJob): Promise<void> {
    const group: Job[] = [job, ...(job.followers ?? [])];
    this.inFlight++;
    for (const j of group) this.held.add(j.seq);
    try {
      const integration = await this.deps.runtime.get(job.orgId);
      if (!integration || !integration.enabled) {
        for (const j of group) await this.deps.jobs.fail(j, "integration is not configured or disabled", null);
        return;
      }
      const opId = await this.dispatch(job, integration);
      if (opId !== COMPLETED) await this.deps.jobs.complete(job, opId);
    } catch (err) {
      for (const j of group) await this.failed(j, err);
    } finally {
      for (const j of group) this.held.delete(j.seq);
      this.inFlight--;
    }
  }

  // Another attempt later, or parked as failed (on record) after the last one.
  private async failed(job: Job, err: unknown): Promise<void> {
    const log = this.deps.logger.child({ jobId: job.id, kind: job.kind, key: job.orderingKey, attempt: job.attempts });
    try {
      const message = err instanceof Error ? err.message : String(err);
      const retryable =
        !(err instanceof NonRetryableSyncError) &&
        !(err instanceof z.ZodError) &&
        !(err instanceof EchoError && !err.retryable);
      // Echo's circuit is open: nothing was sent. The job waits for it to let a
      // request through again, without spending an attempt: an outage longer than
      // the attempts' backoff does not make Maestro give up on its changes.
      const circuitOpen = err instanceof EchoError && err.kind === "circuit_open";
      const backoff = retryable
        ? retryDelay(
            job.attempts,
            this.deps.retry ?? DEFAULT_RETRY,
            err instanceof EchoError ? err.retryAfterMs : undefined,
          )
        : null;
      const delay =
        backoff !== null && circuitOpen
          ? Math.max(backoff, retryDelay(1, { baseMs: CIRCUIT_HALF_OPEN_MS, maxMs: CIRCUIT_HALF_OPEN_MS }))
          : backoff;
      const outcome = await this.deps.jobs.fail(job, message, delay, { attempted: !circuitOpen });
      if (outcome === "failed") {
        log.error({ err }, "sync job failed for good");
        const integration = await this.deps.runtime.get(job.orgId).catch(() => undefined);
        if (integration) {
          const op = await this.deps.ops.record(job.orgId, {
            direction: job.kind === "echo_change" || job.kind === "reconcile" ? "echo_to_maestro" : "maestro_to_echo",
            trigger: "webhook",
            ...(job.kind !== "reconcile" ? { echoEventId: job.orderingKey } : {}),
            status: "failed",
            changes: [],
            error: `${message} (after ${job.attempts} attempt(s); replayable as job ${job.id})`,
          });
          this.deps.metrics.syncOperations.inc({ direction: op.direction, status: "failed" });
        }
      } else {
        log.warn({ err: message, retryInMs: Math.round(delay ?? 0) }, "sync job will be retried");
      }
    } catch (failure) {
      // The lease runs out and the job is taken again: nothing is lost.
      log.error({ err: failure }, "recording a job failure failed");
    }
  }

  private async dispatch(
    job: ClaimedJob,
    integration: NonNullable<Awaited<ReturnType<IntegrationRuntime["get"]>>>,
  ): Promise<string | null | typeof COMPLETED> {
    const raw = JSON.parse(job.payload) as unknown;
    switch (job.kind) {
      case "echo_change":
        return this.applyEchoChanges(job, integration);
      case "push": {
        const p = payloads.push.parse(raw);
        return (await this.deps.engine.pushToEcho(integration, p.echoEventId, p.trigger as Trigger)).id;
      }
      case "maestro_webhook": {
        const p = payloads.maestro_webhook.parse(raw);
        return (await this.deps.sender.send(integration, p, "beo_change")).id;
      }
      case "reconcile": {
        const p = payloads.reconcile.parse(raw);
        return (
          await this.deps.reconciliation.run(integration, {
            full: p.full,
            trigger: p.trigger as Trigger,
            ...(p.operationId ? { operationId: p.operationId } : {}),
            ...(p.direction ? { direction: p.direction } : {}),
          })
        ).id;
      }
      default:
        throw new NonRetryableSyncError(`unknown job kind ${job.kind}`);
    }
  }

  // One event's queued Echo snapshots (the job and its followers): the newest is
  // merged; every delivery is marked processed and every job done in the merge's
  // own transaction, so a crash leaves all of them to be taken again.
  private async applyEchoChanges(
    job: ClaimedJob,
    integration: NonNullable<Awaited<ReturnType<IntegrationRuntime["get"]>>>,
  ): Promise<typeof COMPLETED> {
    const group: Job[] = [job, ...(job.followers ?? [])];
    const jobsPayloads = group.map((j) => ({ job: j, p: payloads.echo_change.parse(JSON.parse(j.payload)) }));
    const webhookIds = jobsPayloads.flatMap(({ p }) => (p.webhookId ? [p.webhookId] : []));
    const rows = new Map((await this.deps.inbox.getMany(job.orgId, webhookIds)).map((r) => [r.webhookId, r]));
    type Snapshot = {
      job: Job;
      event: EchoCRMEvent;
      source: Trigger;
      webhookId?: string;
      type?: string;
      changedFields?: string[];
    };
    const snapshots: Snapshot[] = [];
    const unusable: { job: Job; reason: string }[] = [];
    for (const { job: j, p } of jobsPayloads) {
      if (!p.webhookId) {
        if (p.event) snapshots.push({ job: j, event: p.event, source: p.source as Trigger });
        else unusable.push({ job: j, reason: "echo_change job without an event" });
        continue;
      }
      const stored = rows.get(p.webhookId)?.payload;
      const payload = stored ? echoWebhookPayloadSchema.safeParse(parseJsonOrUndefined(stored)) : undefined;
      if (!payload?.success) {
        unusable.push({
          job: j,
          reason: stored ? `inbox payload ${p.webhookId} is not valid` : `inbox payload ${p.webhookId} is missing`,
        });
        continue;
      }
      snapshots.push({
        job: j,
        event: payload.data.data.event,
        source: p.source as Trigger,
        webhookId: p.webhookId,
        type: payload.data.type,
        ...(payload.data.data.changedFields ? { changedFields: payload.data.data.changedFields } : {}),
      });
    }
    if (snapshots.length === 0) throw new NonRetryableSyncError(unusable[0]!.reason);
    for (const u of unusable) await this.failed(u.job, new NonRetryableSyncError(u.reason));
    // The newest version wins; of equal versions, the one delivered last.
    const newest = snapshots.reduce((a, b) => (b.event.version >= a.event.version ? b : a));
    const processed = snapshots.flatMap((s) => (s.webhookId ? [s.webhookId] : []));
    await this.deps.engine.applyEchoEvent(
      integration,
      newest.event,
      {
        trigger: newest.source,
        ...(newest.webhookId ? { webhookId: newest.webhookId } : {}),
        ...(newest.type ? { type: newest.type } : {}),
        superseded: snapshots.length - 1,
        deliveries: snapshots,
      },
      undefined,
      async (trx, op) => {
        await this.deps.jobs.relaxDurability(trx);
        await this.deps.inbox.markProcessed(job.orgId, processed, trx);
        await this.deps.jobs.completeMany(
          snapshots.map((s) => s.job),
          op.id,
          trx,
        );
      },
    );
    return COMPLETED;
  }
}
