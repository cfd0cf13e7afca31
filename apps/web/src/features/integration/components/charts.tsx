import { useId } from "react";
import { formatClock } from "../../../lib/format";

// Small dependency-free SVG charts. Each is an <img>-role figure with a text
// summary, plus the numbers in a table for screen readers and keyboard users.

const W = 560;
const H = 180;
const PAD = { top: 12, right: 12, bottom: 24, left: 40 };

type Series = { key: string; label: string; color: string; values: number[] };

function niceMax(max: number): number {
  if (max <= 0) return 1;
  const pow = 10 ** Math.floor(Math.log10(max));
  const n = max / pow;
  return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * pow;
}

function Axis({ max, times, unit }: { max: number; times: string[]; unit: string }) {
  const ticks = [0, max / 2, max];
  const innerH = H - PAD.top - PAD.bottom;
  const step = Math.max(1, Math.ceil(times.length / 6));
  const innerW = W - PAD.left - PAD.right;
  return (
    <g className="chart-axis">
      {ticks.map((t) => {
        const y = PAD.top + innerH - (t / max) * innerH;
        return (
          <g key={t}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y} y2={y} className="chart-grid" />
            <text x={PAD.left - 6} y={y + 4} textAnchor="end">
              {Number.isInteger(t) ? t : t.toFixed(1)}
              {unit}
            </text>
          </g>
        );
      })}
      {times.map((t, i) =>
        i % step === 0 ? (
          <text key={t} x={PAD.left + ((i + 0.5) / times.length) * innerW} y={H - 6} textAnchor="middle">
            {formatClock(t).slice(0, 5)}
          </text>
        ) : null,
      )}
    </g>
  );
}

type ChartProps = {
  title: string;
  summary: string;
  times: string[];
  series: Series[];
  unit?: string;
  kind: "bars" | "lines";
};

export function Chart({ title, summary, times, series, unit = "", kind }: ChartProps) {
  const id = useId();
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const totals = times.map((_, i) =>
    kind === "bars"
      ? series.reduce((s, x) => s + (x.values[i] ?? 0), 0)
      : Math.max(...series.map((x) => x.values[i] ?? 0)),
  );
  const max = niceMax(Math.max(0, ...totals));
  const slot = times.length ? innerW / times.length : innerW;
  const y = (v: number) => PAD.top + innerH - (v / max) * innerH;

  return (
    <figure className="chart">
      <figcaption id={`${id}-title`}>
        <span className="chart-title">{title}</span>
        <span className="chart-legend">
          {series.map((s) => (
            <span key={s.key} className="legend-swatch-wrap">
              <span className="legend-swatch" style={{ background: s.color }} aria-hidden="true" />
              {s.label}
            </span>
          ))}
        </span>
      </figcaption>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-desc`}
        className="chart-svg"
      >
        <desc id={`${id}-desc`}>{summary}</desc>
        <Axis max={max} times={times} unit={unit} />
        {kind === "bars" &&
          times.map((t, i) => {
            let base = 0;
            return series.map((s) => {
              const v = s.values[i] ?? 0;
              const rect = (
                <rect
                  key={`${t}-${s.key}`}
                  x={PAD.left + i * slot + slot * 0.15}
                  width={Math.max(1, slot * 0.7)}
                  y={y(base + v)}
                  height={y(base) - y(base + v)}
                  fill={s.color}
                >
                  <title>{`${formatClock(t)} ${s.label}: ${v}`}</title>
                </rect>
              );
              base += v;
              return rect;
            });
          })}
        {kind === "lines" &&
          series.map((s) => (
            <polyline
              key={s.key}
              fill="none"
              stroke={s.color}
              strokeWidth={2}
              strokeLinejoin="round"
              points={s.values.map((v, i) => `${PAD.left + (i + 0.5) * slot},${y(v)}`).join(" ")}
            />
          ))}
      </svg>
      {times.length === 0 && <p className="chart-empty muted">No sync activity in the last hour.</p>}
      <details className="chart-data">
        <summary>Show data table</summary>
        <table className="data-table compact">
          <thead>
            <tr>
              <th scope="col">Minute</th>
              {series.map((s) => (
                <th key={s.key} scope="col">
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {times.map((t, i) => (
              <tr key={t}>
                <td>{formatClock(t).slice(0, 5)}</td>
                {series.map((s) => (
                  <td key={s.key}>
                    {s.values[i] ?? 0}
                    {unit}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
