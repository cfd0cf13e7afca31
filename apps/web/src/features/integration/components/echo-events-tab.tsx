import { useEffect, useState } from "react";
import { ContractBadge } from "../../../components/badge";
import { EmptyState, ErrorBanner } from "../../../components/feedback";
import { errorMessage } from "../../../lib/api-client";
import { formatShortDate } from "../../../lib/format";
import { useLiveEvent } from "../../../lib/live-events";
import { can } from "../../../lib/permissions";
import { Link, navigate } from "../../../lib/router";
import { useBEOStore } from "../../../stores/beo-store";
import { useRole } from "../../../stores/session-store";
import { toast } from "../../../stores/toast-store";
import type { EchoEventSummary } from "../api/get-echo-events";
import { EchoEventDetails } from "./echo-event-details";

const PAGE = 100;

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
  // Render in pages: thousands of rows would make the tab sluggish.
  const [shown, setShown] = useState(PAGE);

  useEffect(() => {
    setShown(PAGE);
    const timer = setTimeout(() => void load(q.trim()), 250);
    return () => clearTimeout(timer);
  }, [q, load]);
  useLiveEvent(["calendar.changed", "beo.changed"], () => void load());

  const selected = events.find((e) => e.echoEventId === selectedId) ?? null;
  const canCreate = can(role, "createBeo");

  const onCreate = async (event: EchoEventSummary) => {
    if (!event.echoEventId) return;
    setCreating(event.echoEventId);
    try {
      const beo = await createBeo(event.echoEventId);
      toast.success(`BEO #${beo.beoNumber} ready for ${event.title}`);
      navigate(`/beos/${beo.id}`);
    } catch (error) {
      toast.error(`Could not create the BEO: ${errorMessage(error)}`);
      setCreating(null);
    }
  };

  const beoCell = (e: EchoEventSummary, prominent = false) =>
    e.beoId ? (
      <Link to={`/beos/${e.beoId}`} className={prominent ? "button button-primary" : undefined}>
        Open BEO
      </Link>
    ) : canCreate && !e.deletedInEcho ? (
      <button
        type="button"
        className={prominent ? "button button-primary" : "button button-small"}
        onClick={() => onCreate(e)}
        disabled={creating === e.echoEventId}
      >
        {creating === e.echoEventId ? "Creating…" : "Create BEO"}
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
          <div className="table-scroll table-scroll-tall">
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
                {events.slice(0, shown).map((e) => {
                  const isSelected = e.echoEventId === selectedId;
                  return (
                    <tr key={e.id} className={isSelected ? "is-selected" : undefined}>
                      <td>
                        <button
                          type="button"
                          className="link-button"
                          onClick={() => setSelectedId(isSelected ? null : (e.echoEventId ?? null))}
                          aria-expanded={isSelected}
                        >
                          {e.title}
                        </button>
                        <div className="muted small">
                          <code className="truncate-id" title={e.echoEventId}>
                            {e.echoEventId}
                          </code>
                          {e.deletedInEcho && <span className="badge badge-danger">Deleted in Echo</span>}
                        </div>
                      </td>
                      <td className="nowrap">
                        {formatShortDate(e.date)} {e.time}
                      </td>
                      <td>{e.room}</td>
                      <td>{e.guestCount}</td>
                      <td>{e.contractStatus && <ContractBadge status={e.contractStatus} />}</td>
                      <td>
                        {e.clientName ?? "—"}
                        <div className="muted small">{e.salesRepName}</div>
                      </td>
                      <td>{beoCell(e)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            {events.length > shown && (
              <div className="table-more">
                <button type="button" className="button button-small" onClick={() => setShown(shown + PAGE)}>
                  Show {Math.min(PAGE, events.length - shown)} more of {events.length - shown}
                </button>
              </div>
            )}
          </div>
        )}
        {selected && (
          <EchoEventDetails event={selected} onClose={() => setSelectedId(null)} action={beoCell(selected, true)} />
        )}
      </div>
    </div>
  );
}
