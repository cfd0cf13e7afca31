import type { EchoCRMEvent } from "@maestro/shared/echo-event.schema";
import type { ReactNode } from "react";
import { ContractBadge } from "../../../components/badge";
import { CloseIcon } from "../../../components/icons";
import { formatDate, formatMoney, formatTimestamp } from "../../../lib/format";

export function EchoEventDetails({
  event,
  onClose,
  action,
}: {
  event: EchoCRMEvent;
  onClose: () => void;
  action: ReactNode;
}) {
  return (
    <section className="card echo-details" aria-labelledby="echo-details-heading">
      <header className="section-heading">
        <h2 id="echo-details-heading">{event.eventName}</h2>
        <button type="button" className="icon-button" aria-label="Close details" onClick={onClose}>
          <CloseIcon />
        </button>
      </header>
      <div className="badge-row">
        <ContractBadge status={event.contractStatus} />
        {event.deletedAt && <span className="badge badge-danger">Deleted in Echo</span>}
      </div>
      <dl className="kv">
        <dt>Echo id</dt>
        <dd>
          <code>{event.id}</code> (version {event.version})
        </dd>
        <dt>Date</dt>
        <dd>
          {formatDate(event.eventDate)}, {event.eventTime}
          {event.endTime ? `–${event.endTime}` : ""} ({event.timezone})
        </dd>
        <dt>Venue · room</dt>
        <dd>{[event.venue, event.room].filter(Boolean).join(" · ")}</dd>
        <dt>Guests</dt>
        <dd>
          {event.guestCount.guaranteed} guaranteed
          {event.guestCount.expected !== undefined ? `, ${event.guestCount.expected} expected` : ""}
        </dd>
        <dt>Budget</dt>
        <dd>{formatMoney(event.budget.totalBudget, event.budget.currency)}</dd>
        <dt>Client</dt>
        <dd>{event.clientName}</dd>
        <dt>Sales rep</dt>
        <dd>{event.salesRepName || "—"}</dd>
        <dt>Special requests</dt>
        <dd className="pre-wrap">{event.specialRequests || "—"}</dd>
        <dt>Updated</dt>
        <dd>{formatTimestamp(event.updatedAt)}</dd>
      </dl>
      <div className="form-actions">{action}</div>
    </section>
  );
}
