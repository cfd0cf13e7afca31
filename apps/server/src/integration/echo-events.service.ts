import type { MaestroWebhookEventType } from "@maestro/shared/echo-event.schema";
import type { BEODocument } from "@maestro/shared/maestro.schema";
import { newId } from "@maestro/shared/ids";
import type { AuthContext } from "../auth/auth-context.ts";
import type { BeoService } from "../beo/beo.service.ts";
import type { BeoRepository } from "../beo/beo.repository.ts";
import { toCalendarEvent } from "../calendar/calendar-mapper.ts";
import type { CalendarRepository } from "../calendar/calendar.repository.ts";
import type { Db } from "../db/schema.ts";
import { AppError, notFound } from "../http/errors.ts";
import type { IntegrationRuntime } from "./integration-runtime.ts";
import type { JobQueue } from "./job-queue.ts";
import type { SyncLinkRepository } from "./sync-link.repository.ts";

// The Echo events Maestro knows (browse), "Create BEO" from one, and re-sending a Maestro webhook.
export class EchoEventsService {
  constructor(
    private readonly db: Db,
    private readonly calendarRepo: CalendarRepository,
    private readonly links: SyncLinkRepository,
    private readonly beoRepo: BeoRepository,
    private readonly beos: BeoService,
    private readonly jobs: JobQueue,
    private readonly runtime: IntegrationRuntime,
  ) {}

  async list(orgId: string, q?: string) {
    const rows = await this.calendarRepo.list(orgId, { source: "echo", ...(q ? { q } : {}), limit: 1000 });
    const links = await this.links.byEchoIds(
      orgId,
      rows.map((r) => r.echoEventId!),
    );
    const out = rows.map((row) => {
      const link = links.get(row.echoEventId!);
      return {
        ...toCalendarEvent(row),
        echoEventId: row.echoEventId!,
        calendarEventId: row.id,
        echoVersion: link?.echoVersion ?? null,
        deletedInEcho: link?.deleted === 1,
        lastSyncedAt: link?.updatedAt ?? null,
      };
    });
    return out;
  }

  // Idempotent: the event's BEO if it has one, otherwise a new one.
  async createBeo(ctx: AuthContext, echoEventId: string): Promise<{ beo: BEODocument; created: boolean }> {
    const cal = await this.calendarRepo.findByEchoId(ctx.orgId, echoEventId);
    if (!cal) throw notFound("Echo event");
    const existing = await this.beoRepo.findByCalendarEvent(ctx.orgId, cal.id);
    if (existing) return { beo: await this.beos.get(ctx.orgId, existing.id), created: false };
    try {
      return { beo: await this.beos.createFromCalendarEvent(ctx, cal.id, "user"), created: true };
    } catch (err) {
      // Created concurrently (e.g. by contract.signed): return that one.
      const raced = await this.beoRepo.findByCalendarEvent(ctx.orgId, cal.id);
      if (raced) return { beo: await this.beos.get(ctx.orgId, raced.id), created: false };
      throw err;
    }
  }

  async resendWebhook(ctx: AuthContext, beoId: string, type: MaestroWebhookEventType): Promise<string> {
    const beo = await this.beoRepo.get(ctx.orgId, beoId);
    if (!beo) throw notFound("BEO");
    if (!beo.echoEventId) throw new AppError(409, "conflict", "this BEO is not linked to an Echo event");
    if (!(await this.runtime.get(ctx.orgId)))
      throw new AppError(409, "integration_not_configured", "the Echo integration is not initialized");
    const webhookId = newId("msg");
    await this.jobs.enqueue(ctx.orgId, "maestro_webhook", beo.echoEventId, { beoId, type, webhookId }, this.db);
    return webhookId;
  }
}
