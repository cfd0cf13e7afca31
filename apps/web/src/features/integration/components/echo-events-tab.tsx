import type { EchoCRMEvent } from "@maestro/shared/echo-event.schema";
import { useEffect, useState } from "react";
import { BeoStatusBadge, ContractBadge } from "../../../components/badge";
import { EmptyState, ErrorBanner } from "../../../components/feedback";
import { errorMessage } from "../../../lib/api-client";
import { useLiveEvent } from "../../../lib/live-events";
import { formatShortDate } from "../../../lib/format";
import { can } from "../../../lib/permissions";
import { Link, navigate } from "../../../lib/router";
import { useBEOStore } from "../../../stores/beo-store";
import { useRole } from "../../../stores/session-store";
import { toast } from "../../../stores/toast-store";
import { EchoEventDetails } from "./echo-event-details";

export function EchoEventsTab() {
  const role = useRole();
  const events = useBEOStore((s) => s.echoCrmEvents);
  const state = useBEOStore((s) => s.echoEventsState);
  const storedQuery = useBEOStore((s) => s.echoEventsQuery);
  const load = useBEOStore((s) => s.loadEchoCrmEvents);
  const createBeo = useBEOStore((s) => s.createBEOFromEchoCrmEvent);
  const [q, setQ] = useState(storedQuery);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [creating, setCreating] = useState<string | null>(null);

  useEffect(() => {
    const timer = setTimeout(() => void load(q.trim()), 250);
    return () => clearTimeout(timer);
  }, [q, load]);
  useLiveEvent(["calendar.changed", "beo.changed"], () => void load());

  const selected = events.find((e) => e.id === selectedId) ?? null;
  const canCreate = can(role, "createBeo");

  const onCreate = async (event: EchoCRMEvent) => {
    setCreating(event.id);
    try {
      const beo = await createBeo(event.id);
      toast.success(`BEO #${beo.beoNumber} ready for ${event.eventName}`);
      navigate(`/beos/${beo.id}`);
    } catch (error) {
      toast.error(`Could not create the BEO: ${errorMessage(error)}`);
      setCreating(null);
    }
  };

  const beoCell = (e: EchoCRMEvent) =>
    e.beoId ? (
      <Link to={`/beos/${e.beoId}`}>Open BEO</Link>
    ) : canCreate && !e.deletedAt ? (
      <button type="button" className="button button-small" onClick={() => onCreate(e)} disabled={creating === e.id}>
        {creating === e.id ? "Creating…" : "Create BEO"}
      </button>
    ) : (
      <span className="muted">—</span>
    );

  return (
    <div className="echo-events-tab">
      <div className="toolbar-row">
        <input
          type="search"
          className="search-input"
          aria-label="Filter Echo events"
          placeholder="Event, client, sales rep or Echo id"
          value={q}
          onChange={(e) => setQ(e.target.value)}
        />
        <span className="muted" role="status">
          {state === "loading" ? "Loading…" : `${events.length} Echo event${events.length === 1 ? "" : "s"}`}
        </span>
      </div>
      {state === "error" && (
        <ErrorBanner error={new Error("Echo events could not be loaded.")} onRetry={() => load()} />
      )}
      {state === "loaded" && events.length === 0 && (
        <EmptyState title="No Echo events match">Try another name or id.</EmptyState>
      )}
      <div className={selected ? "split split-open" : "split"}>
        {events.length > 0 && (
          <div className="table-scroll">
            <table className="data-table">
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">Date</th>
                  <th scope="col">Room</th>
                  <th scope="col">Guests</th>
                  <th scope="col">Contract</th>
                  <th scope="col">Client · Sales rep</th>
                  <th scope="col">BEO</th>
                </tr>
              </thead>
              <tbody>
                {events.map((e) => (
                  <tr
                    key={e.id}
                    className={e.id === selectedId ? "is-selected" : undefined}
                    aria-selected={e.id === selectedId}
                  >
                    <td>
                      <button
                        type="button"
                        className="link-button"
                        onClick={() => setSelectedId(e.id)}
                        aria-expanded={e.id === selectedId}
                      >
                        {e.eventName}
                      </button>
                      <div className="muted small">
                        <code>{e.id}</code>
                      </div>
                    </td>
                    <td>
                      {formatShortDate(e.eventDate)} {e.eventTime}
                    </td>
                    <td>{e.room}</td>
                    <td>{e.guestCount.guaranteed}</td>
                    <td>
                      <ContractBadge status={e.contractStatus} />
                    </td>
                    <td>
                      {e.clientName}
                      <div className="muted small">{e.salesRepName}</div>
                    </td>
                    <td>
                      {beoCell(e)}
                      {e.beoStatus && (
                        <div>
                          <BeoStatusBadge status={e.beoStatus} />
                        </div>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {selected && (
          <EchoEventDetails event={selected} onClose={() => setSelectedId(null)} action={beoCell(selected)} />
        )}
      </div>
    </div>
  );
}
