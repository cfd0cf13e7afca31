import type { ReactNode } from "react";
import { ContractBadge, EventStatusBadge } from "../../../components/badge";
import { CloseIcon } from "../../../components/icons";
import { formatDate, formatMoney, formatTimestamp } from "../../../lib/format";
import { Link } from "../../../lib/router";
import type { EchoEventSummary } from "../api/get-echo-events";

type Props = { event: EchoEventSummary; onClose: () => void; action: ReactNode };

export function EchoEventDetails({ event, onClose, action }: Props) {
  return (
    <section className="card echo-details" aria-labelledby="echo-details-heading">
      <header className="section-heading">
        <h2 id="echo-details-heading">{event.title}</h2>
        <button type="button" className="icon-button" aria-label="Close details" onClick={onClose}>
          <CloseIcon />
        </button>
      </header>
      <div className="badge-row">
        {event.contractStatus && <ContractBadge status={event.contractStatus} />}
        <EventStatusBadge status={event.status} />
        {event.deletedInEcho && <span className="badge badge-danger">Deleted in Echo</span>}
      </div>
      <dl className="kv">
        <dt>Echo id</dt>
        <dd>
          <code>{event.echoEventId}</code>
          {event.echoVersion !== undefined && ` (version ${event.echoVersion})`}
        </dd>
        <dt>Date</dt>
        <dd>
          {formatDate(event.date)}, {event.time}
          {event.endTime ? `–${event.endTime}` : ""}
        </dd>
        <dt>Room</dt>
        <dd>{event.room}</dd>
        <dt>Guests</dt>
        <dd>{event.guestCount} guaranteed</dd>
        <dt>Budget</dt>
        <dd>{formatMoney(event.revenue)}</dd>
        <dt>Client</dt>
        <dd>{event.clientName || "—"}</dd>
        <dt>Sales rep</dt>
        <dd>{event.salesRepName || "—"}</dd>
        <dt>Special requests</dt>
        <dd className="pre-wrap">{event.notes || "—"}</dd>
        <dt>Last synced</dt>
        <dd>{formatTimestamp(event.lastSyncedAt ?? event.updatedAt)}</dd>
      </dl>
      <div className="form-actions">
        <Link to={`/calendar?date=${event.date}&view=day`} className="button button-ghost">
          Show on calendar
        </Link>
        {action}
      </div>
    </section>
  );
}
