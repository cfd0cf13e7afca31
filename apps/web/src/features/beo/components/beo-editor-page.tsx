import { useMemo } from "react";
import { ErrorBanner, Loading } from "../../../components/feedback";
import { can } from "../../../lib/permissions";
import { Link } from "../../../lib/router";
import { useRole } from "../../../stores/session-store";
import { expandFieldList } from "../hooks/beo-draft";
import { useBeoEditor } from "../hooks/use-beo-editor";
import { BeoActionBar } from "./beo-action-bar";
import { BeoBanners } from "./beo-banners";
import { BeoDetailsSection } from "./beo-details-section";
import type { FieldState } from "./beo-field-state";
import { BeoMenuSection } from "./beo-menu-section";
import { BeoSetupSection } from "./beo-setup-section";
import { RevisionHistory } from "./revision-history";

export function BeoEditorPage({ id }: { id: string }) {
  const role = useRole();
  const editor = useBeoEditor(id);
  const { doc, draft } = editor;
  const canEdit = can(role, "editBeo");

  const state: FieldState = useMemo(
    () => ({
      errors: editor.errors,
      changed: expandFieldList(doc?.changedSinceApproval),
      frozen: expandFieldList(doc?.frozenFields),
      readOnly: !canEdit || doc?.status === "cancelled",
    }),
    [editor.errors, doc, canEdit],
  );

  if (!doc || !draft) {
    return (
      <section className="page">
        {editor.notice && (
          <p className="banner banner-warning" role="alert">
            {editor.notice}
          </p>
        )}
        {editor.loadError ? (
          <ErrorBanner error={editor.loadError} onRetry={editor.retry} />
        ) : (
          <Loading label="Loading BEO…" />
        )}
      </section>
    );
  }

  return (
    <section className="page beo-page">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to={`/calendar?date=${doc.event.date}`}>Calendar</Link>
        <span aria-hidden="true"> / </span>
        <span aria-current="page">BEO #{doc.beoNumber}</span>
      </nav>
      <BeoActionBar
        doc={doc}
        draft={draft}
        canEdit={canEdit}
        canApprove={can(role, "approveBeo")}
        dirty={editor.dirty}
        saving={editor.saving}
        approving={editor.approving}
        onStatus={(status) => editor.setDraft({ ...draft, status })}
        onSave={editor.save}
        onDiscard={editor.discard}
        onApprove={editor.approve}
      />
      <BeoBanners
        doc={doc}
        notice={editor.notice}
        onDismissNotice={editor.dismissNotice}
        serverAhead={editor.serverAhead}
        onReload={editor.discard}
      />
      {!canEdit && <p className="muted read-only-note">Read-only: your role can view this BEO but not change it.</p>}
      <div className="beo-layout">
        <form
          className="beo-form"
          aria-label="BEO"
          onSubmit={(e) => {
            e.preventDefault();
            void editor.save();
          }}
        >
          <BeoDetailsSection draft={draft} onChange={editor.setDraft} state={state} />
          <BeoMenuSection draft={draft} onChange={editor.setDraft} state={state} />
          <BeoSetupSection draft={draft} onChange={editor.setDraft} state={state} />
        </form>
        <aside className="beo-aside">
          <RevisionHistory beoId={doc.id} version={doc.version} approvedVersion={doc.approvedVersion} />
        </aside>
      </div>
    </section>
  );
}
