import { InlineSelect } from "../../../components/inline-field";
import type { BEODocument } from "@maestro/shared/maestro.schema";
import { BeoStatusBadge } from "../../../components/badge";
import { CheckIcon, DownloadIcon } from "../../../components/icons";
import type { BeoDraft } from "../hooks/beo-draft";

type Props = {
  doc: BEODocument;
  draft: BeoDraft;
  canEdit: boolean;
  canApprove: boolean;
  dirty: boolean;
  saving: boolean;
  approving: boolean;
  onStatus: (status: BeoDraft["status"]) => void;
  onSave: () => void;
  onDiscard: () => void;
  onApprove: () => void;
};

export function BeoActionBar(props: Props) {
  const { doc, draft, canEdit, canApprove, dirty, saving, approving, onStatus, onSave, onDiscard, onApprove } = props;
  const approvable = doc.status !== "approved" && doc.status !== "cancelled";
  return (
    <div className="beo-actionbar">
      <div className="beo-title">
        <p className="eyebrow">
          BEO #{doc.beoNumber} · version {doc.version}
        </p>
        <h1>{doc.header.eventName}</h1>
        <div className="badge-row">
          <BeoStatusBadge status={doc.status} />
          {doc.echoEventId && (
            <span className="muted">
              Linked to Echo event <code>{doc.echoEventId}</code>
            </span>
          )}
        </div>
      </div>
      <div className="beo-actions">
        {canEdit && (
          <InlineSelect
            label="Status"
            value={draft.status}
            onChange={(e) => onStatus(e.target.value as BeoDraft["status"])}
          >
            <option value="draft">Draft</option>
            <option value="pending_approval">Pending approval</option>
            {doc.status === "approved" && <option value="approved">Approved</option>}
            <option value="cancelled">Cancelled</option>
          </InlineSelect>
        )}
        <a className="button" href={`/api/beos/${encodeURIComponent(doc.id)}/pdf`} target="_blank" rel="noreferrer">
          <DownloadIcon /> Download PDF
        </a>
        {canApprove && approvable && (
          <button
            type="button"
            className="button button-success"
            onClick={onApprove}
            disabled={approving || dirty}
            title={dirty ? "Save your changes before approving" : undefined}
          >
            <CheckIcon /> {approving ? "Approving…" : "Approve"}
          </button>
        )}
        {canEdit && (
          <>
            <button type="button" className="button button-ghost" onClick={onDiscard} disabled={!dirty || saving}>
              Discard
            </button>
            <button type="button" className="button button-primary" onClick={onSave} disabled={!dirty || saving}>
              {saving ? "Saving…" : dirty ? "Save changes" : "Saved"}
            </button>
          </>
        )}
      </div>
    </div>
  );
}
