import type { CalendarEvent } from "@maestro/shared/maestro.schema";
import { ContractBadge } from "../../../components/badge";
import { EchoIcon } from "../../../components/echo-icon";
import { WarningIcon } from "../../../components/icons";

export function DoubleBookedIcon() {
  return (
    <span
      className="double-icon"
      role="img"
      aria-label="Double-booked"
      title="Double-booked: overlaps another event in this room"
    >
      <WarningIcon size={13} />
    </span>
  );
}

export function eventTooltip(e: CalendarEvent): string {
  const parts = [
    `${e.title}`,
    `${e.time}${e.endTime ? `–${e.endTime}` : ""} · ${e.room} · ${e.guestCount} guests`,
    e.clientName ? `Client: ${e.clientName}` : null,
    e.salesRepName ? `Sales rep: ${e.salesRepName}` : null,
    e.contractStatus ? `Contract: ${e.contractStatus.replace("_", " ")}` : null,
    e.doubleBookedWith?.length ? "Double-booked" : null,
  ];
  return parts.filter(Boolean).join("\n");
}

// How an event looks on the board. `density` trades detail for space: month
// cells get one line; week/day columns and the room grid add the people, the
// room and the contract status.
export function EventChip({
  event,
  density,
  showRoom = true,
}: {
  event: CalendarEvent;
  density: "compact" | "full";
  showRoom?: boolean;
}) {
  const doubled = (event.doubleBookedWith?.length ?? 0) > 0;
  const people = [event.clientName, event.salesRepName ? `Rep: ${event.salesRepName}` : null]
    .filter(Boolean)
    .join(" · ");
  if (density === "compact") {
    return (
      <div className="event-chip event-chip-compact" title={eventTooltip(event)}>
        <div className="event-chip-line">
          {event.source === "echo" && <EchoIcon size={12} />}
          {doubled && <DoubleBookedIcon />}
          <span className="event-chip-time">{event.time}</span>
          <span className="event-chip-title">{event.title}</span>
        </div>
      </div>
    );
  }
  return (
    <div className="event-chip event-chip-full" title={eventTooltip(event)}>
      <div className="event-chip-line">
        {event.source === "echo" && <EchoIcon size={12} />}
        {doubled && <DoubleBookedIcon />}
        <span className="event-chip-time">
          {event.time}
          {event.endTime ? `–${event.endTime}` : ""}
        </span>
        {event.contractStatus && <ContractBadge status={event.contractStatus} />}
      </div>
      <div className="event-chip-title">{event.title}</div>
      {people && <div className="event-chip-people">{people}</div>}
      <div className="event-chip-meta">
        {showRoom ? `${event.room} · ` : ""}
        {event.guestCount} guests
      </div>
    </div>
  );
}
