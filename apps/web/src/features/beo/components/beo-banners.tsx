import type { BEODocument } from "@maestro/shared/maestro.schema";
import { LockIcon, WarningIcon } from "../../../components/icons";
import { fieldLabel } from "../../../lib/format";
import { Link } from "../../../lib/router";

type Props = {
  doc: BEODocument;
  notice: string | null;
  onDismissNotice: () => void;
  serverAhead: BEODocument | null;
  onReload: () => void;
};

const unique = (list: string[]) => [...new Set(list.map(fieldLabel))];

export function BeoBanners({ doc, notice, onDismissNotice, serverAhead, onReload }: Props) {
  const frozen = doc.frozenFields ?? [];
  const changed = doc.changedSinceApproval ?? [];
  return (
    <div className="banner-stack">
      {notice && (
        <div className="banner banner-warning" role="alert">
          <WarningIcon />
          <span>{notice}</span>
          <button type="button" className="button button-small" onClick={onDismissNotice}>
            Dismiss
          </button>
        </div>
      )}
      {serverAhead && (
        <div className="banner banner-warning" role="alert">
          <WarningIcon />
          <span>
            Someone else saved version {serverAhead.version} while you were editing. Saving your edits will be refused.
          </span>
          <button type="button" className="button button-small" onClick={onReload}>
            Load their version
          </button>
        </div>
      )}
      {frozen.length > 0 && (
        <div className="banner banner-frozen" role="note">
          <LockIcon />
          <span>
            <strong>Frozen by an open conflict with Echo CRM:</strong> {unique(frozen).join(", ")}. These fields stay
            locked until the conflict is resolved in{" "}
            <Link to="/integration?tab=conflicts">Integration › Conflicts</Link>.
          </span>
        </div>
      )}
      {changed.length > 0 && (
        <div className="banner banner-changed" role="note">
          <WarningIcon />
          <span>
            <strong>
              Changed since the approved version{doc.approvedVersion ? ` (v${doc.approvedVersion})` : ""}:
            </strong>{" "}
            {unique(changed).join(", ")}. The chef needs to approve again.
          </span>
        </div>
      )}
    </div>
  );
}
