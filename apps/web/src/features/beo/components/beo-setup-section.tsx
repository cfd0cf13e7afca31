import { TextAreaField, TextField } from "../../../components/field";
import type { BeoDraft } from "../hooks/beo-draft";
import { fieldProps, type FieldState } from "./beo-field-state";

type Props = { draft: BeoDraft; onChange: (draft: BeoDraft) => void; state: FieldState };

export function BeoSetupSection({ draft, onChange, state }: Props) {
  const set = (key: keyof BeoDraft["setup"]) => (e: { target: { value: string } }) =>
    onChange({ ...draft, setup: { ...draft.setup, [key]: e.target.value } });
  return (
    <section className="card beo-section" aria-labelledby="beo-setup-heading">
      <h2 id="beo-setup-heading">Setup</h2>
      <TextField
        label="Layout"
        placeholder="e.g. Rounds of 10, head table, dance floor"
        value={draft.setup.layout}
        onChange={set("layout")}
        {...fieldProps(state, "setup.layout")}
      />
      <TextAreaField
        label="Setup requests"
        rows={4}
        value={draft.setup.specialRequests}
        onChange={set("specialRequests")}
        {...fieldProps(state, "setup.specialRequests")}
      />
    </section>
  );
}
