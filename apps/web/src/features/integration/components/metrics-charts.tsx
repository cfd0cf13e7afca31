import { useEffect } from "react";
import { useMetricsSummary } from "../api/get-metrics-summary";
import { Chart } from "./charts";

export function MetricsCharts() {
  const { data, error, refetch } = useMetricsSummary();

  // Buckets are per minute: refresh once a minute even without live events.
  useEffect(() => {
    const timer = setInterval(refetch, 60_000);
    return () => clearInterval(timer);
  }, [refetch]);

  if (error) return <p className="muted">Charts are unavailable right now.</p>;
  const throughput = data?.throughput ?? [];
  const latency = data?.latency ?? [];
  const ok = throughput.reduce((s, b) => s + b.succeeded, 0);
  const failed = throughput.reduce((s, b) => s + b.failed, 0);
  const p99max = latency.reduce((m, b) => Math.max(m, b.p99), 0);
  const p50avg = latency.length ? latency.reduce((s, b) => s + b.p50, 0) / latency.length : 0;

  return (
    <section className="charts" aria-labelledby="charts-heading">
      <h2 id="charts-heading" className="section-title">
        Last hour
      </h2>
      <div className="chart-grid-2">
        <div className="card">
          <Chart
            kind="bars"
            title="Throughput (operations per minute)"
            summary={`${ok} operations succeeded and ${failed} failed in the last hour.`}
            buckets={throughput.map((b) => ({ t: b.t, values: { succeeded: b.succeeded, failed: b.failed } }))}
            series={[
              { key: "succeeded", label: "Succeeded", color: "#2f855a" },
              { key: "failed", label: "Failed", color: "#c53030" },
            ]}
          />
        </div>
        <div className="card">
          <Chart
            kind="lines"
            title="Sync latency"
            unit=" ms"
            summary={`Median latency averaged ${Math.round(p50avg)} ms; the worst p99 was ${Math.round(p99max)} ms.`}
            buckets={latency.map((b) => ({ t: b.t, values: { p50: Math.round(b.p50), p99: Math.round(b.p99) } }))}
            series={[
              { key: "p50", label: "p50", color: "#2b6cb0" },
              { key: "p99", label: "p99", color: "#b7791f" },
            ]}
          />
        </div>
      </div>
    </section>
  );
}
