import { OperationStatusBadge } from "../../../components/badge";
import { ErrorBanner } from "../../../components/feedback";
import { formatRelative, humanize } from "../../../lib/format";
import { setSearchParam } from "../../../lib/router";
import { useSyncHistory } from "../api/get-sync-history";
import { directionLabel, OperationChanges } from "./operation-changes";

export function RecentOperations() {
  const { data, error, refetch } = useSyncHistory({ limit: 8 });
  const ops = data?.data ?? [];
  return (
    <section className="card" aria-labelledby="recent-heading">
      <div className="section-heading">
        <h2 id="recent-heading">Recent operations</h2>
        <button
          type="button"
          className="button button-ghost button-small"
          onClick={() => setSearchParam("tab", "history")}
        >
          View full history
        </button>
      </div>
      {error ? <ErrorBanner error={error} onRetry={refetch} /> : null}
      {!error && ops.length === 0 && <p className="muted">No sync operations yet.</p>}
      {ops.length > 0 && (
        <ul className="recent-ops">
          {ops.map((op) => (
            <li key={op.id} className="recent-op">
              <OperationStatusBadge status={op.status} />
              <span className="recent-op-main">
                <span>
                  {directionLabel[op.direction]} · {humanize(op.trigger)}
                  {op.echoEventId && (
                    <>
                      {" "}
                      ·{" "}
                      <code className="truncate-id" title={op.echoEventId}>
                        {op.echoEventId}
                      </code>
                    </>
                  )}
                </span>
                <OperationChanges op={op} />
              </span>
              <time className="muted small" dateTime={op.startedAt}>
                {formatRelative(op.startedAt)}
              </time>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
