import type { CalendarEvent } from "@maestro/shared/maestro.schema";
import { useMemo, useState } from "react";
import { ErrorBanner } from "../../../components/feedback";
import { EchoIcon } from "../../../components/echo-icon";
import { todayString } from "../../../lib/format";
import { can } from "../../../lib/permissions";
import { useRole } from "../../../stores/session-store";
import { useCalendarEvents } from "../api/get-calendar-events";
import { useRooms } from "../api/get-rooms";
import { rangeTitle, stepAnchor, useCalendarView, visibleRange } from "../hooks/use-calendar-view";
import { useDebouncedValue } from "../hooks/use-debounced-value";
import { CalendarToolbar, type CalendarFilters } from "./calendar-toolbar";
import { CreateEventDialog } from "./create-event-dialog";
import { DoubleBookedIcon } from "./event-chip";
import { EventDetailsDialog } from "./event-details-dialog";
import { FullCalendarView } from "./full-calendar-view";
import { RoomGridView } from "./room-grid-view";
import { SearchResults } from "./search-results";

const SEARCH_LIMIT = 50;

export function CalendarPage() {
  const role = useRole();
  const { view, anchor, setView, setAnchor } = useCalendarView();
  const [filters, setFilters] = useState<CalendarFilters>({ q: "", room: "", source: "", status: "" });
  const q = useDebouncedValue(filters.q.trim(), 250);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [createAt, setCreateAt] = useState<{ date?: string; time?: string } | null>(null);

  const range = visibleRange(view, anchor);
  const common = { q, room: filters.room, source: filters.source, status: filters.status };
  const board = useCalendarEvents({ ...range, ...common, limit: 5000 });
  const search = useCalendarEvents({ ...common, limit: SEARCH_LIMIT }, q.length > 0);
  const rooms = useRooms();

  const events = useMemo(() => board.data ?? [], [board.data]);
  const all = useMemo(() => [...events, ...(search.data ?? [])], [events, search.data]);
  const selected = selectedId ? (all.find((e) => e.id === selectedId) ?? null) : null;
  const doubleCount = events.filter((e) => e.doubleBookedWith?.length).length;
  const echoCount = events.filter((e) => e.source === "echo").length;

  const pick = (e: CalendarEvent) => {
    setSelectedId(e.id);
    if (e.date < range.from || e.date >= range.to) setAnchor(e.date);
  };

  return (
    <section className="page calendar-page" aria-busy={board.isFetching}>
      <CalendarToolbar
        title={rangeTitle(view, anchor)}
        view={view}
        filters={filters}
        rooms={rooms.data ?? []}
        canCreate={can(role, "createEvent")}
        onView={setView}
        onStep={(d) => setAnchor(stepAnchor(view, anchor, d))}
        onToday={() => setAnchor(todayString())}
        onFilters={setFilters}
        onCreate={() => setCreateAt({ date: view === "day" ? anchor : undefined })}
      />
      {board.error ? <ErrorBanner error={board.error} onRetry={board.refetch} /> : null}
      {q && (
        <SearchResults query={q} results={search.data} loading={search.isFetching} limit={SEARCH_LIMIT} onPick={pick} />
      )}
      <div className="calendar-legend">
        <span>
          {events.length} event{events.length === 1 ? "" : "s"} shown
        </span>
        <span className="legend-item">
          <EchoIcon size={12} /> {echoCount} from Echo CRM
        </span>
        {doubleCount > 0 && (
          <span className="legend-item legend-warning">
            <DoubleBookedIcon /> {doubleCount} double-booked
          </span>
        )}
        {board.isFetching && <span className="muted">Updating…</span>}
      </div>
      {view === "rooms" ? (
        <RoomGridView from={range.from} days={7} rooms={rooms.data ?? []} events={events} onEventClick={pick} />
      ) : (
        <FullCalendarView
          view={view}
          anchor={anchor}
          events={events}
          onEventClick={pick}
          onMoreClick={(date) => {
            setAnchor(date);
            setView("day");
          }}
          onDateClick={can(role, "createEvent") ? (date, time) => setCreateAt({ date, time }) : undefined}
        />
      )}
      <EventDetailsDialog event={selected} related={all} onClose={() => setSelectedId(null)} />
      <CreateEventDialog
        open={createAt !== null}
        initial={createAt ?? {}}
        rooms={rooms.data ?? []}
        onClose={() => setCreateAt(null)}
        onCreated={board.refetch}
      />
    </section>
  );
}
