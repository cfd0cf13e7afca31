import { InlineSelect } from "../../../components/inline-field";
import { calendarStatuses, type CalendarStatus, type Room } from "@maestro/shared/maestro.schema";
import { ChevronLeftIcon, ChevronRightIcon, PlusIcon } from "../../../components/icons";
import { humanize } from "../../../lib/format";
import { calendarViews, type CalendarView } from "../hooks/use-calendar-view";

export type CalendarFilters = {
  q: string;
  room: string;
  source: "" | "echo" | "maestro";
  status: "" | CalendarStatus;
};

type Props = {
  title: string;
  view: CalendarView;
  filters: CalendarFilters;
  rooms: Room[];
  canCreate: boolean;
  onView: (view: CalendarView) => void;
  onStep: (direction: 1 | -1) => void;
  onToday: () => void;
  onFilters: (filters: CalendarFilters) => void;
  onCreate: () => void;
};

export function CalendarToolbar(props: Props) {
  const { title, view, filters, rooms, canCreate, onView, onStep, onToday, onFilters, onCreate } = props;
  const set = <K extends keyof CalendarFilters>(key: K, value: CalendarFilters[K]) =>
    onFilters({ ...filters, [key]: value });

  return (
    <div className="calendar-toolbar">
      <div className="toolbar-row">
        <div className="toolbar-group">
          <button
            type="button"
            className="icon-button bordered"
            onClick={() => onStep(-1)}
            aria-label="Previous period"
          >
            <ChevronLeftIcon />
          </button>
          <button type="button" className="button" onClick={onToday}>
            Today
          </button>
          <button type="button" className="icon-button bordered" onClick={() => onStep(1)} aria-label="Next period">
            <ChevronRightIcon />
          </button>
          <h1 className="calendar-title" aria-live="polite">
            {title}
          </h1>
        </div>
        <div className="toolbar-group">
          <div className="segmented" role="group" aria-label="Calendar view">
            {calendarViews.map((v) => (
              <button key={v.id} type="button" aria-pressed={view === v.id} onClick={() => onView(v.id)}>
                {v.label}
              </button>
            ))}
          </div>
          {canCreate && (
            <button type="button" className="button button-primary" onClick={onCreate}>
              <PlusIcon />
              New event
            </button>
          )}
        </div>
      </div>
      <div className="toolbar-row filters" role="search" aria-label="Calendar filters">
        <input
          type="search"
          className="search-input"
          aria-label="Search events"
          placeholder="Search title, client, sales rep, room or Echo id"
          value={filters.q}
          onChange={(e) => set("q", e.target.value)}
        />
        <InlineSelect label="Room" value={filters.room} onChange={(e) => set("room", e.target.value)}>
          <option value="">All rooms</option>
          {rooms.map((r) => (
            <option key={r.id} value={r.name}>
              {r.name}
            </option>
          ))}
        </InlineSelect>
        <InlineSelect
          label="Source"
          value={filters.source}
          onChange={(e) => set("source", e.target.value as CalendarFilters["source"])}
        >
          <option value="">All sources</option>
          <option value="echo">Echo CRM</option>
          <option value="maestro">Maestro</option>
        </InlineSelect>
        <InlineSelect
          label="Status"
          value={filters.status}
          onChange={(e) => set("status", e.target.value as CalendarFilters["status"])}
        >
          <option value="">Any status</option>
          {calendarStatuses.map((s) => (
            <option key={s} value={s}>
              {humanize(s)}
            </option>
          ))}
        </InlineSelect>
        {(filters.q || filters.room || filters.source || filters.status) && (
          <button
            type="button"
            className="button button-ghost"
            onClick={() => onFilters({ q: "", room: "", source: "", status: "" })}
          >
            Clear filters
          </button>
        )}
      </div>
    </div>
  );
}
