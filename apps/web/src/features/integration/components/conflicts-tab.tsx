import { EmptyState, ErrorBanner } from "../../../components/feedback";
import { can } from "../../../lib/permissions";
import { useBEOStore } from "../../../stores/beo-store";
import { useRole } from "../../../stores/session-store";
import { toast } from "../../../stores/toast-store";
import { ConflictCard } from "./conflict-card";

export function ConflictsTab() {
  const role = useRole();
  const open = useBEOStore((s) => s.pendingConflicts);
  const resolved = useBEOStore((s) => s.resolvedConflicts);
  const state = useBEOStore((s) => s.conflictsState);
  const load = useBEOStore((s) => s.loadConflicts);
  const resolveConflict = useBEOStore((s) => s.resolveConflict);
  const canResolve = can(role, "resolveConflict");

  if (state === "error") return <ErrorBanner error={new Error("Conflicts could not be loaded.")} onRetry={load} />;

  return (
    <div className="conflicts-tab">
      <h2 className="section-title">Open conflicts ({open.length})</h2>
      {!canResolve && open.length > 0 && (
        <p className="muted">Banquet managers and administrators resolve conflicts; you can review them here.</p>
      )}
      {state === "loading" && open.length === 0 && <p className="muted">Loading conflicts…</p>}
      {state === "loaded" && open.length === 0 && (
        <EmptyState title="No open conflicts">Both systems agree on every synced field.</EmptyState>
      )}
      <div className="conflict-list">
        {open.map((c) => (
          <ConflictCard
            key={c.id}
            conflict={c}
            canResolve={canResolve}
            onResolve={async (resolution, values) => {
              await resolveConflict(c.id, resolution, values);
              toast.success("Conflict resolved; both systems now hold the chosen value");
            }}
          />
        ))}
      </div>
      {resolved.length > 0 && (
        <details className="resolved-conflicts">
          <summary>Resolved conflicts ({resolved.length})</summary>
          <div className="conflict-list">
            {resolved.slice(0, 50).map((c) => (
              <ConflictCard key={c.id} conflict={c} canResolve={false} onResolve={async () => {}} />
            ))}
          </div>
        </details>
      )}
    </div>
  );
}
