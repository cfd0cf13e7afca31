import type { CalendarRepository } from "../calendar/calendar.repository.ts";
import { notFound } from "../http/errors.ts";
import type { OrganizationRepository } from "../org/organization.repository.ts";
import type { BeoRepository } from "./beo.repository.ts";
import type { BeoService } from "./beo.service.ts";

export class BeoPdfService {
  constructor(
    private readonly beos: BeoService,
    private readonly repo: BeoRepository,
    private readonly calendar: CalendarRepository,
    private readonly orgs: OrganizationRepository,
  ) {}

  async render(orgId: string, id: string): Promise<{ fileName: string; pdf: Buffer }> {
    const row = await this.repo.get(orgId, id);
    if (!row) throw notFound("BEO");
    const beo = this.beos.documentOf(row);
    const [org, event, revisions] = await Promise.all([
      this.orgs.findById(orgId),
      this.calendar.get(orgId, row.calendarEventId),
      this.beos.revisions(orgId, id),
    ]);
    // What changed since the approved revision, in the order it happened.
    const changesSinceApproval =
      row.approvedVersion != null && row.status !== "approved"
        ? revisions
            .filter((r) => r.version > row.approvedVersion! && r.field !== "status")
            .reverse()
            .map((r) => ({ field: r.field, old: r.old, new: r.new, who: r.who, at: r.at }))
        : [];
    // pdfkit and its fonts load with the first PDF, not at start (about 15 MB a
    // process that never prints one would carry).
    const { renderBeoPdf } = await import("./beo-pdf.ts");
    const pdf = await renderBeoPdf({
      beo,
      organizationName: org?.name ?? "",
      revisionNumber: beo.version,
      changesSinceApproval,
      ...(row.approvedBy ? { approvedBy: row.approvedBy } : {}),
      ...(row.approvedAt ? { approvedAt: row.approvedAt } : {}),
      ...(event?.contractStatus ? { contractStatus: event.contractStatus } : {}),
      generatedAt: new Date(),
    });
    return { fileName: `BEO-${beo.beoNumber}-rev${beo.version}.pdf`, pdf };
  }
}
