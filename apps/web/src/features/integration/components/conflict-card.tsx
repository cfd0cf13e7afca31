import type { DataConflict } from "@maestro/shared/integration.schema";
import { useId, useState } from "react";
import { Badge } from "../../../components/badge";
import { errorMessage } from "../../../lib/api-client";
import { fieldLabel, formatRelative, formatValue, humanize } from "../../../lib/format";
import { Link } from "../../../lib/router";
import type { ConflictResolution } from "../api/resolve-conflict";

type Props = {
  conflict: DataConflict;
  canResolve: boolean;
  onResolve: (resolution: ConflictResolution, values?: Record<string, unknown>) => Promise<void>;
};

// Custom input text back to the type the field holds on either side.
function parseCustom(raw: string, sample: unknown): unknown {
  if (typeof sample === "number") {
    const n = Number(raw.trim());
    return raw.trim() !== "" && Number.isFinite(n) ? n : raw;
  }
  return raw;
}

const asText = (v: unknown) => (v === undefined || v === null ? "" : typeof v === "string" ? v : JSON.stringify(v));

export function ConflictCard({ conflict, canResolve, onResolve }: Props) {
  const headingId = useId();
  const [mode, setMode] = useState<"idle" | "custom">("idle");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [custom, setCustom] = useState<Record<string, string>>({});
  const open = conflict.status === "open";

  const run = async (resolution: ConflictResolution, values?: Record<string, unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await onResolve(resolution, values);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  const startCustom = () => {
    setCustom(Object.fromEntries(conflict.fields.map((f) => [f.field, asText(f.maestroValue)])));
    setMode("custom");
  };

  const applyCustom = () => {
    const values = Object.fromEntries(
      conflict.fields.map((f) => [f.field, parseCustom(custom[f.field] ?? "", f.maestroValue ?? f.echoValue)]),
    );
    void run("custom", values);
  };

  return (
    <article className={`card conflict-card ${open ? "" : "conflict-resolved"}`} aria-labelledby={headingId}>
      <header className="conflict-head">
        <h3 id={headingId}>
          {conflict.fields.map((f) => fieldLabel(f.field)).join(", ")} — Echo event <code>{conflict.echoEventId}</code>
        </h3>
        <div className="badge-row">
          {open ? (
            <Badge tone="warning">Open</Badge>
          ) : (
            <Badge tone="success">Resolved: {humanize(conflict.resolution ?? "")}</Badge>
          )}
          {conflict.policy && <span className="muted small">Policy: {humanize(conflict.policy)}</span>}
          <span className="muted small">Detected {formatRelative(conflict.detectedAt)}</span>
          {conflict.beoId && <Link to={`/beos/${conflict.beoId}`}>Open BEO</Link>}
        </div>
      </header>
      <div className="table-scroll">
        <table className="data-table conflict-table">
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Base (last agreed)</th>
              <th scope="col">Echo CRM</th>
              <th scope="col">Maestro</th>
            </tr>
          </thead>
          <tbody>
            {conflict.fields.map((f) => (
              <tr key={f.field}>
                <th scope="row">{fieldLabel(f.field)}</th>
                <td className="value-base">{formatValue(f.baseValue)}</td>
                <td className="value-echo">{formatValue(f.echoValue)}</td>
                <td className="value-maestro">{formatValue(f.maestroValue)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {open && canResolve && mode === "custom" && (
        <fieldset className="custom-values">
          <legend>Custom values</legend>
          {conflict.fields.map((f) => {
            const id = `${headingId}-${f.field}`;
            const long = typeof f.maestroValue === "string" && f.maestroValue.length > 60;
            return (
              <div className="field" key={f.field}>
                <label htmlFor={id}>{fieldLabel(f.field)}</label>
                {long ? (
                  <textarea
                    id={id}
                    rows={3}
                    value={custom[f.field] ?? ""}
                    onChange={(e) => setCustom({ ...custom, [f.field]: e.target.value })}
                  />
                ) : (
                  <input
                    id={id}
                    value={custom[f.field] ?? ""}
                    onChange={(e) => setCustom({ ...custom, [f.field]: e.target.value })}
                  />
                )}
              </div>
            );
          })}
          <div className="form-actions">
            <button type="button" className="button" onClick={() => setMode("idle")} disabled={busy}>
              Cancel
            </button>
            <button type="button" className="button button-primary" onClick={applyCustom} disabled={busy}>
              Apply custom values
            </button>
          </div>
        </fieldset>
      )}
      {open && canResolve && mode === "idle" && (
        <div className="conflict-actions">
          <button type="button" className="button" onClick={() => run("echo")} disabled={busy}>
            Use Echo value
          </button>
          <button type="button" className="button" onClick={() => run("maestro")} disabled={busy}>
            Use Maestro value
          </button>
          <button type="button" className="button button-ghost" onClick={startCustom} disabled={busy}>
            Use custom value
          </button>
        </div>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </article>
  );
}
