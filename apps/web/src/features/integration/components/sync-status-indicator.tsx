import { useLiveConnection } from "../../../lib/live-events";
import { Link } from "../../../lib/router";
import { useBEOStore } from "../../../stores/beo-store";

// The header indicator: accessible name "Sync status" (CONTRACT §4b); its text
// always names the Echo connection health (healthy, degraded or down).
export function SyncStatusIndicator() {
  const status = useBEOStore((s) => s.syncStatus);
  const error = useBEOStore((s) => s.syncStatusError);
  const live = useLiveConnection((s) => s.state);

  const health = status?.connection.echoCrm ?? (error ? "down" : null);
  const detail = !status
    ? error
      ? "status unavailable"
      : "checking…"
    : !status.enabled
      ? "sync off"
      : status.counts.conflicts > 0
        ? `${status.counts.conflicts} conflict${status.counts.conflicts === 1 ? "" : "s"}`
        : status.counts.pending > 0
          ? `${status.counts.pending} pending`
          : null;

  return (
    <div role="status" aria-label="Sync status" className={`sync-indicator sync-${health ?? "unknown"}`}>
      <Link
        to="/integration"
        className="sync-link"
        title={live === "open" ? "Live updates connected" : "Live updates reconnecting"}
      >
        <span className="sync-dot" aria-hidden="true" />
        <span className="sync-text">
          Echo CRM {health ?? "…"}
          {detail && <span className="sync-detail"> · {detail}</span>}
        </span>
      </Link>
    </div>
  );
}
