import {
  calendarEventCreateSchema,
  calendarStatuses,
  type CalendarEventCreate,
  type Room,
} from "@maestro/shared/maestro.schema";
import { useEffect, useState, type FormEvent } from "react";
import { Dialog } from "../../../components/dialog";
import { SelectField, TextAreaField, TextField } from "../../../components/field";
import { ApiError, errorMessage } from "../../../lib/api-client";
import { humanize, todayString } from "../../../lib/format";
import { issuesByPath } from "../../../lib/validation";
import { toast } from "../../../stores/toast-store";
import { createCalendarEvent } from "../api/create-calendar-event";

type Props = {
  open: boolean;
  initial: { date?: string; time?: string };
  rooms: Room[];
  onClose: () => void;
  onCreated: () => void;
};

type Draft = Record<
  | "title"
  | "date"
  | "time"
  | "endTime"
  | "room"
  | "guestCount"
  | "status"
  | "clientName"
  | "salesRepName"
  | "notes"
  | "revenue",
  string
>;

const empty = (date?: string, time?: string): Draft => ({
  title: "",
  date: date ?? todayString(),
  time: time ?? "18:00",
  endTime: "",
  room: "",
  guestCount: "",
  status: "tentative",
  clientName: "",
  salesRepName: "",
  notes: "",
  revenue: "",
});

function toInput(d: Draft): CalendarEventCreate {
  const opt = (s: string) => (s.trim() === "" ? undefined : s.trim());
  return {
    title: d.title.trim(),
    date: d.date,
    time: d.time,
    endTime: opt(d.endTime),
    room: d.room.trim(),
    guestCount: d.guestCount === "" ? Number.NaN : Number(d.guestCount),
    status: d.status as CalendarEventCreate["status"],
    revenue: d.revenue === "" ? undefined : Number(d.revenue),
    clientName: opt(d.clientName),
    salesRepName: opt(d.salesRepName),
    notes: opt(d.notes),
  };
}

export function CreateEventDialog({ open, initial, rooms, onClose, onCreated }: Props) {
  const [draft, setDraft] = useState<Draft>(() => empty(initial.date, initial.time));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (open) {
      setDraft(empty(initial.date, initial.time));
      setErrors({});
    }
  }, [open, initial.date, initial.time]);

  const set = (key: keyof Draft) => (e: { target: { value: string } }) => setDraft({ ...draft, [key]: e.target.value });

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const input = toInput(draft);
    const parsed = calendarEventCreateSchema.safeParse(input);
    if (!parsed.success) {
      const next = issuesByPath(parsed.error.issues);
      if (next.guestCount) next.guestCount = "Enter the number of guests.";
      setErrors(next);
      return;
    }
    setBusy(true);
    try {
      await createCalendarEvent(input);
      toast.success(`“${input.title}” added to the calendar`);
      onCreated();
      onClose();
    } catch (error) {
      if (error instanceof ApiError && error.status === 400) setErrors(error.fieldErrors());
      toast.error(`Could not create the event: ${errorMessage(error)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open={open} onClose={onClose} title="New event">
      <form className="form-grid" onSubmit={onSubmit} noValidate>
        <TextField
          className="span-2"
          label="Title"
          value={draft.title}
          onChange={set("title")}
          error={errors.title}
          required
        />
        <TextField label="Date" type="date" value={draft.date} onChange={set("date")} error={errors.date} required />
        <SelectField label="Status" value={draft.status} onChange={set("status")} error={errors.status}>
          {calendarStatuses.map((s) => (
            <option key={s} value={s}>
              {humanize(s)}
            </option>
          ))}
        </SelectField>
        <TextField
          label="Start time"
          type="time"
          value={draft.time}
          onChange={set("time")}
          error={errors.time}
          required
        />
        <TextField
          label="End time"
          type="time"
          value={draft.endTime}
          onChange={set("endTime")}
          error={errors.endTime}
        />
        <TextField
          label="Room"
          list="room-options"
          value={draft.room}
          onChange={set("room")}
          error={errors.room}
          required
        />
        <datalist id="room-options">
          {rooms.map((r) => (
            <option key={r.id} value={r.name} />
          ))}
        </datalist>
        <TextField
          label="Guests"
          type="number"
          min={0}
          inputMode="numeric"
          value={draft.guestCount}
          onChange={set("guestCount")}
          error={errors.guestCount}
          required
        />
        <TextField label="Client" value={draft.clientName} onChange={set("clientName")} error={errors.clientName} />
        <TextField
          label="Sales rep"
          value={draft.salesRepName}
          onChange={set("salesRepName")}
          error={errors.salesRepName}
        />
        <TextField
          label="Revenue"
          type="number"
          min={0}
          inputMode="decimal"
          value={draft.revenue}
          onChange={set("revenue")}
          error={errors.revenue}
        />
        <TextAreaField
          className="span-2"
          label="Notes"
          rows={3}
          value={draft.notes}
          onChange={set("notes")}
          error={errors.notes}
        />
        <div className="form-actions span-2">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? "Saving…" : "Create event"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
