import { useEffect, useState } from "react";
import { Badge } from "../../../components/badge";
import { ErrorBanner } from "../../../components/feedback";
import { RefreshIcon, WarningIcon } from "../../../components/icons";
import { errorMessage } from "../../../lib/api-client";
import { formatNumber, formatRelative, formatTimestamp } from "../../../lib/format";
import { can } from "../../../lib/permissions";
import { useBEOStore } from "../../../stores/beo-store";
import { useRole } from "../../../stores/session-store";
import { toast } from "../../../stores/toast-store";
import { MetricsCharts } from "./metrics-charts";
import { RecentOperations } from "./recent-operations";

const severityTone = { info: "info", warning: "warning", critical: "danger" } as const;

export function StatusTab() {
  const role = useRole();
  const status = useBEOStore((s) => s.syncStatus);
  const statusError = useBEOStore((s) => s.syncStatusError);
  const refresh = useBEOStore((s) => s.refreshSyncStatus);
  const syncWithEchoCrm = useBEOStore((s) => s.syncWithEchoCrm);
  const [syncing, setSyncing] = useState(false);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const syncNow = async () => {
    setSyncing(true);
    try {
      await syncWithEchoCrm({ direction: "bidirectional" });
      toast.success("Sync started");
    } catch (error) {
      toast.error(`Sync could not start: ${errorMessage(error)}`);
    } finally {
      setSyncing(false);
    }
  };

  if (!status)
    return statusError ? (
      <ErrorBanner error={new Error(statusError)} onRetry={refresh} />
    ) : (
      <p className="muted">Loading status…</p>
    );

  const health = status.connection.echoCrm;
  const alerts = status.alerts.filter((a) => !a.resolvedAt);
  const counts = [
    { label: "Synced", value: status.counts.synced, tone: "success" },
    { label: "Pending", value: status.counts.pending, tone: "info" },
    { label: "Failed", value: status.counts.failed, tone: status.counts.failed ? "danger" : "neutral" },
    { label: "Open conflicts", value: status.counts.conflicts, tone: status.counts.conflicts ? "warning" : "neutral" },
  ];

  return (
    <div className="status-tab">
      <div className="status-grid">
        <section className={`card health-card health-${health}`} aria-labelledby="connection-heading">
          <h2 id="connection-heading">Connection</h2>
          <p className="health-state">
            <span className="health-dot" aria-hidden="true" />
            Echo CRM is <strong>{health}</strong>
          </p>
          <dl className="kv kv-compact">
            <dt>Sync</dt>
            <dd>{status.enabled ? "Enabled" : "Disabled"}</dd>
            <dt>Latency</dt>
            <dd>{status.connection.latencyMs === null ? "—" : `${Math.round(status.connection.latencyMs)} ms`}</dd>
            <dt>Checked</dt>
            <dd>{formatRelative(status.connection.lastCheckedAt)}</dd>
            <dt>Last sync</dt>
            <dd title={formatTimestamp(status.lastSyncAt)}>{formatRelative(status.lastSyncAt)}</dd>
            <dt>Next sync</dt>
            <dd title={formatTimestamp(status.nextSyncAt)}>
              {status.nextSyncAt ? formatRelative(status.nextSyncAt) : "—"}
            </dd>
          </dl>
          {can(role, "syncNow") && (
            <button
              type="button"
              className="button button-primary"
              onClick={syncNow}
              disabled={syncing || !status.enabled}
            >
              <RefreshIcon /> {syncing ? "Starting…" : "Sync now"}
            </button>
          )}
        </section>
        <section className="card" aria-labelledby="stats-heading">
          <h2 id="stats-heading">Sync statistics</h2>
          <ul className="stat-grid">
            {counts.map((c) => (
              <li key={c.label} className={`stat stat-${c.tone}`}>
                <span className="stat-value">{formatNumber(c.value)}</span>
                <span className="stat-label">{c.label}</span>
              </li>
            ))}
          </ul>
        </section>
        <section className="card alerts-card" aria-labelledby="alerts-heading">
          <h2 id="alerts-heading">Alerts</h2>
          {alerts.length === 0 ? (
            <p className="muted">No active alerts.</p>
          ) : (
            <ul className="alert-list">
              {alerts.map((a) => (
                <li key={a.id} className={`alert alert-${a.severity}`}>
                  <WarningIcon />
                  <div>
                    <p className="alert-message">
                      <Badge tone={severityTone[a.severity]}>{a.severity}</Badge> {a.message}
                    </p>
                    <p className="muted small">
                      {a.rule} · raised {formatRelative(a.raisedAt)}
                    </p>
                  </div>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      <MetricsCharts />
      <RecentOperations />
    </div>
  );
}
