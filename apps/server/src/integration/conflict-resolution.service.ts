import { z } from "zod";
import type { DataConflict } from "@maestro/shared/integration.schema";
import { dateString, timeString } from "@maestro/shared/echo-event.schema";
import type { AuthContext } from "../auth/auth-context.ts";
import type { BeoService } from "../beo/beo.service.ts";
import type { BeoRepository } from "../beo/beo.repository.ts";
import type { CalendarRepository } from "../calendar/calendar.repository.ts";
import type { Db } from "../db/schema.ts";
import { conflict, invalidInput, notFound } from "../http/errors.ts";
import type { LiveBus } from "../live/live-bus.ts";
import type { AuditLog } from "../org/audit-log.ts";
import type { ConflictRepository } from "./conflict.repository.ts";
import {
  beoPatchFromCanonical,
  calendarPatchFromCanonical,
  canonicalFromCalendar,
  type CanonicalField,
  type CanonicalFields,
} from "./field-mapping.ts";
import type { JobQueue } from "./job-queue.ts";
import type { SyncLinkRepository } from "./sync-link.repository.ts";
import type { SyncOperationRepository } from "./sync-operation.repository.ts";

// What a custom value must look like, per canonical field.
const customValueSchemas: Record<CanonicalField, z.ZodType> = {
  eventName: z.string().min(1).max(200),
  eventDate: dateString,
  eventTime: timeString,
  room: z.string().min(1).max(200),
  guaranteed: z.number().int().min(0).max(100_000),
  specialRequests: z.string().max(10_000),
};

// A person's decision on a manual conflict: the chosen values are written into
// Maestro now and pushed to Echo by the worker, so both systems end up equal.
export class ConflictResolutionService {
  constructor(
    private readonly db: Db,
    private readonly conflicts: ConflictRepository,
    private readonly links: SyncLinkRepository,
    private readonly calendarRepo: CalendarRepository,
    private readonly beoRepo: BeoRepository,
    private readonly beos: BeoService,
    private readonly jobs: JobQueue,
    private readonly ops: SyncOperationRepository,
    private readonly audit: AuditLog,
    private readonly live: LiveBus,
  ) {}

  async resolve(
    ctx: AuthContext,
    id: string,
    resolution: "echo" | "maestro" | "custom",
    values?: Record<string, unknown>,
  ): Promise<DataConflict> {
    const started = performance.now();
    const result = await this.db.transaction().execute(async (trx) => {
      // Only which calendar row to lock is read before the lock: a conflict's Echo
      // event and the calendar event linked to it never change.
      const found = await this.conflicts.get(ctx.orgId, id, trx);
      if (!found) throw notFound("conflict");
      const linked = await this.links.get(ctx.orgId, found.echoEventId, trx);
      if (!linked) throw notFound("linked Echo event");
      await this.calendarRepo.lock(ctx.orgId, linked.calendarEventId, trx);
      // Everything else under the lock: a merge may have refreshed the conflict's Echo
      // values (and moved the link) meanwhile, or another person resolved it.
      const c = (await this.conflicts.get(ctx.orgId, id, trx))!;
      if (c.status !== "open") throw conflict("this conflict is already resolved");
      const link = (await this.links.get(ctx.orgId, c.echoEventId, trx))!;
      const cal = (await this.calendarRepo.get(ctx.orgId, link.calendarEventId, trx))!;
      const maestroNow = canonicalFromCalendar(cal);
      const chosen: Partial<CanonicalFields> = {};
      for (const f of c.fields) {
        const field = f.field as CanonicalField;
        let value: unknown;
        if (resolution === "echo") value = f.echoValue;
        else if (resolution === "maestro") value = maestroNow[field];
        else {
          if (!values || !(field in values))
            throw invalidInput(`a custom resolution needs a value for ${field}`, [
              { path: `values.${field}`, message: "required" },
            ]);
          const parsed = customValueSchemas[field].safeParse(values[field]);
          if (!parsed.success)
            throw invalidInput(`invalid custom value for ${field}`, [
              { path: `values.${field}`, message: parsed.error.issues[0]?.message ?? "invalid" },
            ]);
          value = parsed.data;
        }
        (chosen as Record<string, unknown>)[field] = value;
      }
      // Write the chosen values into Maestro.
      const changedHere = Object.fromEntries(
        Object.entries(chosen).filter(([k, v]) => maestroNow[k as CanonicalField] !== v),
      ) as Partial<CanonicalFields>;
      if (Object.keys(changedHere).length > 0) {
        const beo = await this.beoRepo.findByCalendarEvent(ctx.orgId, cal.id, trx);
        if (beo)
          await this.beos.patch(
            ctx,
            beo.id,
            beoPatchFromCanonical(changedHere),
            { source: "system", allowFrozen: true },
            trx,
          );
        else
          await this.calendarRepo.update(
            ctx.orgId,
            cal.id,
            { ...calendarPatchFromCanonical(changedHere), updatedAt: new Date().toISOString() },
            trx,
          );
      }
      // The base becomes Echo's current value: wherever the choice differs from
      // Echo, the push job sees a Maestro change and writes it to Echo.
      const base = { ...link.base };
      for (const f of c.fields) (base as Record<string, unknown>)[f.field] = f.echoValue;
      await this.links.update(ctx.orgId, c.echoEventId, { base }, trx);
      // Throwing rolls back the values written above: the first resolution stands.
      if (!(await this.conflicts.resolve(ctx.orgId, id, resolution, ctx.actor, trx)))
        throw conflict("this conflict is already resolved");
      await this.jobs.enqueue(ctx.orgId, "push", c.echoEventId, { echoEventId: c.echoEventId, trigger: "manual" }, trx);
      await this.ops.record(
        ctx.orgId,
        {
          direction: "echo_to_maestro",
          trigger: "manual",
          echoEventId: c.echoEventId,
          ...(c.beoId ? { beoId: c.beoId } : {}),
          status: "succeeded",
          changes: c.fields.map((f) => ({
            field: f.field,
            from: maestroNow[f.field as CanonicalField],
            to: (chosen as Record<string, unknown>)[f.field],
          })),
          reason: `conflict ${id} resolved by ${ctx.actor}: ${resolution} value`,
          startedAt: new Date().toISOString(),
          durationMs: performance.now() - started,
        },
        trx,
      );
      await this.audit.record(ctx, "conflict.resolved", id, { resolution, fields: c.fields.map((f) => f.field) }, trx);
      return (await this.conflicts.get(ctx.orgId, id, trx))!;
    });
    this.live.publish({ orgId: ctx.orgId, type: "conflict.changed", data: { id } });
    this.live.publish({ orgId: ctx.orgId, type: "calendar.changed", data: { echoEventId: result.echoEventId } });
    return result;
  }
}
