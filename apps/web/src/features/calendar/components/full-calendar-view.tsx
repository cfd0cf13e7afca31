import type { EventClickArg, EventContentArg, EventInput } from "@fullcalendar/core";
import dayGridPlugin from "@fullcalendar/daygrid";
import interactionPlugin, { type DateClickArg } from "@fullcalendar/interaction";
import FullCalendar from "@fullcalendar/react";
import timeGridPlugin from "@fullcalendar/timegrid";
import type { CalendarEvent } from "@maestro/shared/maestro.schema";
import { useEffect, useMemo, useRef } from "react";
import { addDays } from "../../../lib/format";
import { fullCalendarViewNames, type CalendarView } from "../hooks/use-calendar-view";
import { EventChip } from "./event-chip";

type Props = {
  view: Exclude<CalendarView, "rooms">;
  anchor: string;
  events: CalendarEvent[];
  onEventClick: (event: CalendarEvent) => void;
  onDateClick?: (date: string, time?: string) => void;
  onMoreClick: (date: string) => void;
};

function toEventInput(e: CalendarEvent): EventInput {
  // An end before the start means the event runs past midnight.
  const endDate = e.endTime && e.endTime <= e.time ? addDays(e.date, 1) : e.date;
  const classNames = ["ev", `ev-${e.status}`, e.source === "echo" ? "ev-echo" : "ev-local"];
  if (e.doubleBookedWith?.length) classNames.push("ev-double");
  return {
    id: e.id,
    title: e.title,
    start: `${e.date}T${e.time}`,
    end: e.endTime ? `${endDate}T${e.endTime}` : undefined,
    classNames,
    extendedProps: { event: e },
  };
}

// Month cells show a few events per day and a "+N more" entry that opens the
// day. Handing FullCalendar only those keeps a month with thousands of events
// as fast as an empty one (it would otherwise render and measure every event).
const MONTH_PER_DAY = 4;

function monthInputs(events: CalendarEvent[]): EventInput[] {
  const byDay = new Map<string, CalendarEvent[]>();
  for (const e of events) {
    const list = byDay.get(e.date);
    if (list) list.push(e);
    else byDay.set(e.date, [e]);
  }
  const out: EventInput[] = [];
  for (const [date, list] of byDay) {
    list.sort((a, b) => a.time.localeCompare(b.time));
    const shown = list.length > MONTH_PER_DAY ? MONTH_PER_DAY - 1 : list.length;
    // Clipped to its own day: a late event must not spill into the next cell.
    for (const e of list.slice(0, shown)) out.push({ ...toEventInput(e), end: `${date}T23:59` });
    if (list.length > shown) {
      out.push({
        id: `more-${date}`,
        title: `+${list.length - shown} more`,
        start: `${date}T23:58`,
        end: `${date}T23:59`,
        classNames: ["ev-more"],
        extendedProps: { moreDate: date, count: list.length - shown },
      });
    }
  }
  return out;
}

function renderEventContent(arg: EventContentArg) {
  const more = arg.event.extendedProps.moreDate as string | undefined;
  if (more) return <span className="ev-more-label">{arg.event.title}</span>;
  const event = arg.event.extendedProps.event as CalendarEvent;
  return <EventChip event={event} density={arg.view.type === "dayGridMonth" ? "compact" : "full"} />;
}

// FullCalendar draws month/week/day; our own toolbar drives it, so its header is off.
export function FullCalendarView({ view, anchor, events, onEventClick, onDateClick, onMoreClick }: Props) {
  const ref = useRef<FullCalendar>(null);
  const inputs = useMemo(() => (view === "month" ? monthInputs(events) : events.map(toEventInput)), [events, view]);

  useEffect(() => {
    const api = ref.current?.getApi();
    if (!api) return;
    const name = fullCalendarViewNames[view];
    if (api.view.type !== name) api.changeView(name, anchor);
    else api.gotoDate(anchor);
  }, [view, anchor]);

  return (
    <div className="fc-wrap">
      <FullCalendar
        ref={ref}
        plugins={[dayGridPlugin, timeGridPlugin, interactionPlugin]}
        initialView={fullCalendarViewNames[view]}
        initialDate={anchor}
        headerToolbar={false}
        firstDay={1}
        height="auto"
        events={inputs}
        eventDisplay="block"
        eventInteractive
        dayMaxEvents={false}
        eventMaxStack={3}
        slotMinTime="06:00:00"
        slotMaxTime="24:00:00"
        scrollTime="08:00:00"
        expandRows
        nowIndicator
        allDaySlot={false}
        defaultTimedEventDuration="02:00"
        displayEventEnd={false}
        eventTimeFormat={{ hour: "2-digit", minute: "2-digit", hour12: false }}
        slotLabelFormat={{ hour: "2-digit", minute: "2-digit", hour12: false }}
        eventContent={renderEventContent}
        eventClick={(arg: EventClickArg) => {
          arg.jsEvent.preventDefault();
          const more = arg.event.extendedProps.moreDate as string | undefined;
          if (more) onMoreClick(more);
          else onEventClick(arg.event.extendedProps.event as CalendarEvent);
        }}
        dateClick={
          onDateClick
            ? (arg: DateClickArg) => {
                const date = arg.dateStr.slice(0, 10);
                const time = arg.allDay ? undefined : arg.dateStr.slice(11, 16);
                onDateClick(date, time);
              }
            : undefined
        }
        moreLinkHint={(n: number) => `Show ${n} more events`}
        eventOrder="start,title"
        navLinks={false}
      />
    </div>
  );
}
