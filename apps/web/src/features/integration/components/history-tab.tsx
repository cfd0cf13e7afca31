import { InlineSelect, InlineInput } from "../../../components/inline-field";
import type { SyncOperation } from "@maestro/shared/integration.schema";
import { useState } from "react";
import { OperationStatusBadge } from "../../../components/badge";
import { EmptyState, ErrorBanner } from "../../../components/feedback";
import { errorMessage } from "../../../lib/api-client";
import { formatTimestamp, humanize } from "../../../lib/format";
import { Link } from "../../../lib/router";
import { getSyncHistory, useSyncHistory, type HistoryFilters } from "../api/get-sync-history";
import { directionLabel, OperationChanges } from "./operation-changes";

const statuses: SyncOperation["status"][] = ["succeeded", "failed", "skipped", "conflict", "pending"];

export function HistoryTab() {
  const [filters, setFilters] = useState<HistoryFilters>({ status: "", echoEventId: "" });
  const first = useSyncHistory({ ...filters, limit: 50 });
  const [more, setMore] = useState<{ ops: SyncOperation[]; cursor: string | null | undefined; key: string }>({
    ops: [],
    cursor: undefined,
    key: "",
  });
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<string | null>(null);

  const key = JSON.stringify(filters);
  const extra = more.key === key ? more.ops : [];
  const ops = [...(first.data?.data ?? []), ...extra];
  const cursor = more.key === key && more.cursor !== undefined ? more.cursor : first.data?.nextCursor;

  const loadMore = async () => {
    if (!cursor) return;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const page = await getSyncHistory({ ...filters, limit: 50, cursor });
      setMore({ ops: [...extra, ...page.data], cursor: page.nextCursor ?? null, key });
    } catch (error) {
      setMoreError(errorMessage(error));
    } finally {
      setLoadingMore(false);
    }
  };

  return (
    <div className="history-tab">
      <div className="toolbar-row filters">
        <InlineSelect
          label="Status"
          value={filters.status}
          onChange={(e) => setFilters({ ...filters, status: e.target.value as HistoryFilters["status"] })}
        >
          <option value="">All statuses</option>
          {statuses.map((s) => (
            <option key={s} value={s}>
              {humanize(s)}
            </option>
          ))}
        </InlineSelect>
        <InlineInput
          label="Echo event id"
          value={filters.echoEventId}
          placeholder="evt_…"
          onChange={(e) => setFilters({ ...filters, echoEventId: e.target.value.trim() })}
        />
      </div>
      {first.error ? <ErrorBanner error={first.error} onRetry={first.refetch} /> : null}
      {!first.error && first.data && ops.length === 0 && <EmptyState title="No operations match these filters" />}
      {ops.length > 0 && (
        <div className="table-scroll">
          <table className="data-table history-table">
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Status</th>
                <th scope="col">Direction · trigger</th>
                <th scope="col">Echo event · BEO</th>
                <th scope="col">Changes</th>
                <th scope="col">Duration</th>
              </tr>
            </thead>
            <tbody>
              {ops.map((op) => (
                <tr key={op.id}>
                  <td className="nowrap">{formatTimestamp(op.startedAt)}</td>
                  <td>
                    <OperationStatusBadge status={op.status} />
                  </td>
                  <td>
                    {directionLabel[op.direction]}
                    <div className="muted small">{humanize(op.trigger)}</div>
                  </td>
                  <td>
                    {op.echoEventId ? (
                      <code className="truncate-id" title={op.echoEventId}>
                        {op.echoEventId}
                      </code>
                    ) : (
                      "—"
                    )}
                    {op.beoId && (
                      <div>
                        <Link to={`/beos/${op.beoId}`}>BEO</Link>
                      </div>
                    )}
                  </td>
                  <td>
                    <OperationChanges op={op} />
                    {op.reason && op.changes.length > 0 && <div className="muted small">{op.reason}</div>}
                    {op.webhookId && <div className="muted small">webhook {op.webhookId}</div>}
                  </td>
                  <td className="nowrap">{Math.round(op.durationMs)} ms</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {moreError && (
        <p className="form-error" role="alert">
          {moreError}
        </p>
      )}
      {cursor && (
        <button type="button" className="button" onClick={loadMore} disabled={loadingMore}>
          {loadingMore ? "Loading…" : "Load older operations"}
        </button>
      )}
    </div>
  );
}
