import type { CalendarEvent } from "@maestro/shared/maestro.schema";
import { useState } from "react";
import { ContractBadge, EventStatusBadge } from "../../../components/badge";
import { Dialog } from "../../../components/dialog";
import { EchoIcon } from "../../../components/echo-icon";
import { WarningIcon } from "../../../components/icons";
import { errorMessage } from "../../../lib/api-client";
import { formatDate, formatMoney } from "../../../lib/format";
import { can } from "../../../lib/permissions";
import { Link, navigate } from "../../../lib/router";
import { useBEOStore } from "../../../stores/beo-store";
import { useRole } from "../../../stores/session-store";
import { toast } from "../../../stores/toast-store";

type Props = {
  event: CalendarEvent | null;
  related: CalendarEvent[];
  onClose: () => void;
};

export function EventDetailsDialog({ event, related, onClose }: Props) {
  const role = useRole();
  const createFromEcho = useBEOStore((s) => s.createBEOFromEchoCrmEvent);
  const createFromCalendar = useBEOStore((s) => s.createBEOFromCalendarEvent);
  const [busy, setBusy] = useState(false);

  const createBeo = async () => {
    if (!event) return;
    setBusy(true);
    try {
      const beo =
        event.source === "echo" && event.echoEventId
          ? await createFromEcho(event.echoEventId)
          : await createFromCalendar(event.id);
      toast.success(`BEO #${beo.beoNumber} ready`);
      onClose();
      navigate(`/beos/${beo.id}`);
    } catch (error) {
      toast.error(`Could not create the BEO: ${errorMessage(error)}`);
    } finally {
      setBusy(false);
    }
  };

  const doubles = event?.doubleBookedWith ?? [];
  const doubleTitles = doubles.map((id) => related.find((r) => r.id === id)?.title ?? id);

  return (
    <Dialog
      open={event !== null}
      onClose={onClose}
      title={
        event && (
          <span className="dialog-title-with-icon">
            {event.source === "echo" && <EchoIcon size={16} />}
            {event.title}
          </span>
        )
      }
      footer={
        event?.beoId ? (
          <Link to={`/beos/${event.beoId}`} className="button button-primary" onClick={onClose}>
            Open BEO
          </Link>
        ) : event && can(role, "createBeo") && event.status !== "cancelled" ? (
          <button type="button" className="button button-primary" onClick={createBeo} disabled={busy}>
            {busy ? "Creating…" : "Create BEO"}
          </button>
        ) : undefined
      }
    >
      {event && (
        <>
          <div className="badge-row">
            <EventStatusBadge status={event.status} />
            {event.contractStatus && <ContractBadge status={event.contractStatus} />}
            <span className="muted">{event.source === "echo" ? "Synced from Echo CRM" : "Created in Maestro"}</span>
          </div>
          {doubles.length > 0 && (
            <div className="banner banner-warning" role="note">
              <WarningIcon />
              <span>
                Double-booked: overlaps {doubleTitles.join(", ")} in {event.room}.
              </span>
            </div>
          )}
          <dl className="kv">
            <dt>Date</dt>
            <dd>{formatDate(event.date)}</dd>
            <dt>Time</dt>
            <dd>
              {event.time}
              {event.endTime ? ` – ${event.endTime}` : ""}
            </dd>
            <dt>Room</dt>
            <dd>{event.room}</dd>
            <dt>Guests</dt>
            <dd>{event.guestCount}</dd>
            <dt>Client</dt>
            <dd>{event.clientName || "—"}</dd>
            <dt>Sales rep</dt>
            <dd>{event.salesRepName || "—"}</dd>
            <dt>Revenue</dt>
            <dd>{formatMoney(event.revenue)}</dd>
            {event.echoEventId && (
              <>
                <dt>Echo event</dt>
                <dd>
                  <code>{event.echoEventId}</code>
                </dd>
              </>
            )}
            <dt>Notes</dt>
            <dd className="pre-wrap">{event.notes || "—"}</dd>
          </dl>
        </>
      )}
    </Dialog>
  );
}
