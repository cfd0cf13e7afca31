import type { BEODocument } from "@maestro/shared/maestro.schema";
import type { BeosTable } from "../db/schema.ts";
import { diffBodies, withDerivedSet, type BeoBody } from "./beo-document.ts";

export function parseBody(json: string): BeoBody {
  return JSON.parse(json) as BeoBody;
}

export function toBeoDocument(row: BeosTable, overagePercent: number, frozenFields: string[] = []): BEODocument {
  const body = parseBody(row.doc);
  const shown = withDerivedSet(body, overagePercent);
  const changedSinceApproval =
    row.approvedDoc && row.status !== "approved"
      ? diffBodies(parseBody(row.approvedDoc), body).map((c) => c.field)
      : [];
  return {
    id: row.id,
    version: row.version,
    beoNumber: row.beoNumber,
    status: row.status as BEODocument["status"],
    header: shown.header,
    event: shown.event,
    menu: shown.menu,
    setup: shown.setup,
    ...(row.echoEventId ? { echoEventId: row.echoEventId } : {}),
    calendarEventId: row.calendarEventId,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    changedSinceApproval,
    frozenFields,
    ...(row.approvedVersion != null ? { approvedVersion: row.approvedVersion } : {}),
  };
}
