import { TextField } from "../../../components/field";
import type { BeoDraft } from "../hooks/beo-draft";
import { fieldProps, type FieldState } from "./beo-field-state";

type Props = {
  draft: BeoDraft;
  onChange: (draft: BeoDraft) => void;
  state: FieldState;
};

// Header (who and what) and event (when, where, how many).
export function BeoDetailsSection({ draft, onChange, state }: Props) {
  const setHeader = (key: keyof BeoDraft["header"]) => (e: { target: { value: string } }) =>
    onChange({ ...draft, header: { ...draft.header, [key]: e.target.value } });
  const setEvent = (key: keyof BeoDraft["event"]) => (e: { target: { value: string } }) =>
    onChange({ ...draft, event: { ...draft.event, [key]: e.target.value } });

  return (
    <>
      <section className="card beo-section" aria-labelledby="beo-header-heading">
        <h2 id="beo-header-heading">Header</h2>
        <div className="form-grid">
          <TextField
            className="span-2"
            label="Event name"
            value={draft.header.eventName}
            onChange={setHeader("eventName")}
            {...fieldProps(state, "header.eventName")}
          />
          <TextField
            label="Client"
            value={draft.header.clientName}
            onChange={setHeader("clientName")}
            {...fieldProps(state, "header.clientName")}
          />
          <TextField
            label="Sales rep"
            value={draft.header.salesRepName}
            onChange={setHeader("salesRepName")}
            {...fieldProps(state, "header.salesRepName")}
          />
        </div>
      </section>
      <section className="card beo-section" aria-labelledby="beo-event-heading">
        <h2 id="beo-event-heading">Event</h2>
        <div className="form-grid form-grid-3">
          <TextField
            label="Date"
            type="date"
            value={draft.event.date}
            onChange={setEvent("date")}
            {...fieldProps(state, "event.date")}
          />
          <TextField
            label="Start time"
            type="time"
            value={draft.event.time}
            onChange={setEvent("time")}
            {...fieldProps(state, "event.time")}
          />
          <TextField
            label="End time"
            type="time"
            value={draft.event.endTime}
            onChange={setEvent("endTime")}
            {...fieldProps(state, "event.endTime")}
          />
          <TextField
            className="span-3"
            label="Room"
            value={draft.event.room}
            onChange={setEvent("room")}
            {...fieldProps(state, "event.room")}
          />
        </div>
        <fieldset className="counts">
          <legend>Guest counts</legend>
          <div className="form-grid form-grid-3">
            <TextField
              label="Expected"
              inputMode="numeric"
              value={draft.event.expected}
              onChange={setEvent("expected")}
              {...fieldProps(state, "event.expected")}
            />
            <TextField
              label="Guaranteed"
              inputMode="numeric"
              value={draft.event.guaranteed}
              onChange={setEvent("guaranteed")}
              {...fieldProps(state, "event.guaranteed")}
              hint={fieldProps(state, "event.guaranteed").hint ?? "Billed count; synced with Echo CRM"}
            />
            <TextField
              label="Set"
              inputMode="numeric"
              value={draft.event.set}
              onChange={setEvent("set")}
              {...fieldProps(state, "event.set")}
              hint="Places the kitchen prepares (guaranteed + overage)"
            />
          </div>
        </fieldset>
      </section>
    </>
  );
}
