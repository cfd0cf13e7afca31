import type { CalendarEvent, Room } from "@maestro/shared/maestro.schema";
import { useMemo } from "react";
import { addDays, parseLocalDate, todayString } from "../../../lib/format";
import { EventChip } from "./event-chip";

type Props = {
  from: string;
  days: number;
  rooms: Room[];
  events: CalendarEvent[];
  onEventClick: (event: CalendarEvent) => void;
};

const dayHeading = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short" });

// Rooms down, days across: the banquet manager's "what is where" board.
export function RoomGridView({ from, days, rooms, events, onEventClick }: Props) {
  const dates = useMemo(() => Array.from({ length: days }, (_, i) => addDays(from, i)), [from, days]);

  const { roomNames, cells } = useMemo(() => {
    const names = new Set(rooms.map((r) => r.name));
    const map = new Map<string, CalendarEvent[]>();
    for (const e of events) {
      names.add(e.room);
      const key = `${e.room}|${e.date}`;
      const list = map.get(key);
      if (list) list.push(e);
      else map.set(key, [e]);
    }
    for (const list of map.values()) list.sort((a, b) => a.time.localeCompare(b.time));
    return { roomNames: [...names].sort((a, b) => a.localeCompare(b)), cells: map };
  }, [rooms, events]);

  const capacity = new Map(rooms.map((r) => [r.name, r.capacity]));
  const today = todayString();

  if (roomNames.length === 0) {
    return <p className="muted room-grid-empty">No rooms are set up yet.</p>;
  }

  return (
    <div className="room-grid-scroll" tabIndex={0} role="region" aria-label="Rooms by day">
      <table className="room-grid">
        <caption className="sr-only">Events by room and day</caption>
        <thead>
          <tr>
            <th scope="col" className="room-grid-corner">
              Room
            </th>
            {dates.map((d) => (
              <th key={d} scope="col" className={d === today ? "is-today" : undefined}>
                {dayHeading.format(parseLocalDate(d))}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {roomNames.map((room) => (
            <tr key={room}>
              <th scope="row" className="room-grid-room">
                <span className="room-name">{room}</span>
                {capacity.has(room) && <span className="room-capacity">up to {capacity.get(room)}</span>}
              </th>
              {dates.map((d) => {
                const list = cells.get(`${room}|${d}`) ?? [];
                return (
                  <td key={d} className={d === today ? "is-today" : undefined}>
                    {list.map((e) => (
                      <button
                        key={e.id}
                        type="button"
                        className={`room-grid-event ev-${e.status} ${e.source === "echo" ? "ev-echo" : "ev-local"} ${e.doubleBookedWith?.length ? "ev-double" : ""}`}
                        onClick={() => onEventClick(e)}
                      >
                        <EventChip event={e} density="full" showRoom={false} />
                      </button>
                    ))}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
