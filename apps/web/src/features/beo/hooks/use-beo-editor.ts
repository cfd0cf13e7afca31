import type { BEODocument } from "@maestro/shared/maestro.schema";
import { useEffect, useMemo, useRef, useState } from "react";
import { ApiError, errorMessage } from "../../../lib/api-client";
import { toast } from "../../../stores/toast-store";
import { approveBeo } from "../api/approve-beo";
import { useBeo } from "../api/get-beo";
import { updateBeo } from "../api/update-beo";
import { buildPatch, draftFromDoc, validateDraft, type BeoDraft } from "./beo-draft";

// Editor state: the loaded document, the user's draft, save with If-Match and
// the two ways a document moves under the user (live update, 412 on save).
export function useBeoEditor(id: string) {
  const query = useBeo(id);
  const [doc, setDoc] = useState<BEODocument | null>(null);
  const [draft, setDraft] = useState<BeoDraft | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);
  const [approving, setApproving] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [serverAhead, setServerAhead] = useState<BEODocument | null>(null);

  const patch = useMemo(() => (doc && draft ? buildPatch(doc, draft) : null), [doc, draft]);
  const dirty = patch !== null;
  const dirtyRef = useRef(dirty);
  dirtyRef.current = dirty;

  // A newer version from the server replaces the view unless the user has
  // unsaved edits; then we say so instead of throwing their work away.
  useEffect(() => {
    const next = query.data;
    if (!next) return;
    if (!doc || next.id !== doc.id || !dirtyRef.current) {
      if (!doc || next.version !== doc.version || next.id !== doc.id) {
        setDoc(next);
        setDraft(draftFromDoc(next));
      } else setDoc(next);
      setServerAhead(null);
    } else if (next.version !== doc.version) {
      setServerAhead(next);
    }
  }, [query.data]);

  const replaceWith = (next: BEODocument) => {
    setDoc(next);
    setDraft(draftFromDoc(next));
    setServerAhead(null);
    setErrors({});
  };

  const save = async () => {
    if (!doc || !draft || !patch) return;
    const found = validateDraft(draft, patch);
    setErrors(found);
    if (Object.keys(found).length) {
      toast.error("Some fields need attention before saving.");
      return;
    }
    setSaving(true);
    setNotice(null);
    try {
      const saved = await updateBeo(doc.id, patch, doc.version);
      replaceWith(saved);
      toast.success(`Saved — version ${saved.version}`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 412) {
        setNotice("This BEO changed meanwhile — reloaded. Re-apply your edits if they are still needed.");
        query.refetch();
        setDoc(null);
      } else if (error instanceof ApiError && error.status === 400) {
        setErrors(error.fieldErrors());
        toast.error(error.message);
      } else if (error instanceof ApiError && error.status === 409) {
        setNotice(error.message);
        query.refetch();
      } else {
        toast.error(`Could not save: ${errorMessage(error)}`);
      }
    } finally {
      setSaving(false);
    }
  };

  const approve = async () => {
    if (!doc) return;
    setApproving(true);
    try {
      replaceWith(await approveBeo(doc.id));
      toast.success("BEO approved");
    } catch (error) {
      toast.error(`Could not approve: ${errorMessage(error)}`);
      query.refetch();
    } finally {
      setApproving(false);
    }
  };

  const discard = () => {
    const latest = serverAhead ?? doc;
    if (latest) replaceWith(latest);
  };

  return {
    doc,
    draft,
    setDraft,
    errors,
    dirty,
    saving,
    approving,
    notice,
    dismissNotice: () => setNotice(null),
    serverAhead,
    loadError: query.error,
    retry: query.refetch,
    save,
    approve,
    discard,
  };
}
