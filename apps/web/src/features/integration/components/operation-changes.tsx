import type { SyncOperation } from "@maestro/shared/integration.schema";
import { fieldLabel, formatFieldValue } from "../../../lib/format";

export function OperationChanges({ op }: { op: SyncOperation }) {
  if (op.changes.length === 0) return <span className="muted">{op.error ?? op.reason ?? "No field changes"}</span>;
  return (
    <ul className="op-changes">
      {op.changes.map((c, i) => (
        <li key={`${c.field}-${i}`}>
          <span className="change-field">{fieldLabel(c.field)}</span>{" "}
          <del className="change-old">{formatFieldValue(c.field, c.from)}</del>
          <span aria-hidden="true"> → </span>
          <span className="sr-only"> changed to </span>
          <ins className="change-new">{formatFieldValue(c.field, c.to)}</ins>
        </li>
      ))}
      {op.error && <li className="op-error">{op.error}</li>}
    </ul>
  );
}

export const directionLabel: Record<SyncOperation["direction"], string> = {
  echo_to_maestro: "Echo → Maestro",
  maestro_to_echo: "Maestro → Echo",
};
