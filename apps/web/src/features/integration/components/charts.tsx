import { useId } from "react";
import { formatClock } from "../../../lib/format";

// Small dependency-free SVG charts over the last hour, one slot per minute.
// Each is an image with a text summary, plus the numbers in a table for
// screen readers and keyboard users.

const W = 560;
const H = 180;
const PAD = { top: 12, right: 12, bottom: 24, left: 56 };
const SLOTS = 60;

export type Series = { key: string; label: string; color: string };
export type Bucket = { t: string; values: Record<string, number> };

function niceMax(max: number): number {
  if (max <= 0) return 1;
  const pow = 10 ** Math.floor(Math.log10(max));
  const n = max / pow;
  return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * pow;
}

const minuteKey = (ms: number) => Math.floor(ms / 60_000);

// The last hour as 60 minute slots; a slot without a bucket has no data.
function toSlots(buckets: Bucket[]): { t: number; bucket: Bucket | undefined }[] {
  const byMinute = new Map(buckets.map((b) => [minuteKey(Date.parse(b.t)), b]));
  const newest = Math.max(minuteKey(Date.now()), ...byMinute.keys());
  return Array.from({ length: SLOTS }, (_, i) => {
    const m = newest - (SLOTS - 1 - i);
    return { t: m * 60_000, bucket: byMinute.get(m) };
  });
}

type ChartProps = {
  title: string;
  summary: string;
  buckets: Bucket[];
  series: Series[];
  unit?: string;
  kind: "bars" | "lines";
};

export function Chart({ title, summary, buckets, series, unit = "", kind }: ChartProps) {
  const id = useId();
  const slots = toSlots(buckets);
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const slot = innerW / SLOTS;
  const peak = Math.max(
    0,
    ...slots.map(({ bucket }) =>
      !bucket
        ? 0
        : kind === "bars"
          ? series.reduce((s, x) => s + (bucket.values[x.key] ?? 0), 0)
          : Math.max(...series.map((x) => bucket.values[x.key] ?? 0)),
    ),
  );
  const max = niceMax(peak);
  const y = (v: number) => PAD.top + innerH - (v / max) * innerH;
  const x = (i: number) => PAD.left + (i + 0.5) * slot;
  const fmt = (v: number) => `${Number.isInteger(v) ? v : v.toFixed(1)}${unit}`;

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
        <g className="chart-axis">
          {[0, max / 2, max].map((t) => (
            <g key={t}>
              <line x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} className="chart-grid" />
              <text x={PAD.left - 6} y={y(t) + 4} textAnchor="end">
                {fmt(t)}
              </text>
            </g>
          ))}
          {slots.map((s, i) =>
            i % 10 === 0 || i === SLOTS - 1 ? (
              <text key={s.t} x={x(i)} y={H - 6} textAnchor="middle">
                {formatClock(new Date(s.t).toISOString()).slice(0, 5)}
              </text>
            ) : null,
          )}
        </g>
        {kind === "bars" &&
          slots.map(({ t, bucket }, i) => {
            if (!bucket) return null;
            let base = 0;
            return series.map((s) => {
              const v = bucket.values[s.key] ?? 0;
              const top = y(base + v);
              const rect = (
                <rect
                  key={`${t}-${s.key}`}
                  x={x(i) - slot * 0.35}
                  width={slot * 0.7}
                  y={top}
                  height={y(base) - top}
                  fill={s.color}
                >
                  <title>{`${formatClock(bucket.t)} ${s.label}: ${v}`}</title>
                </rect>
              );
              base += v;
              return rect;
            });
          })}
        {kind === "lines" &&
          series.map((s) => {
            // Minutes without data break the line instead of drawing a false slope.
            let d = "";
            let pen = false;
            slots.forEach(({ bucket }, i) => {
              const v = bucket?.values[s.key];
              if (v === undefined) pen = false;
              else {
                d += `${pen ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)} `;
                pen = true;
              }
            });
            return (
              <g key={s.key}>
                <path d={d} fill="none" stroke={s.color} strokeWidth={2} strokeLinejoin="round" />
                {slots.map(({ bucket, t }, i) =>
                  bucket?.values[s.key] === undefined ? null : (
                    <circle key={t} cx={x(i)} cy={y(bucket.values[s.key]!)} r={2.5} fill={s.color}>
                      <title>{`${formatClock(bucket.t)} ${s.label}: ${fmt(bucket.values[s.key]!)}`}</title>
                    </circle>
                  ),
                )}
              </g>
            );
          })}
        {buckets.length === 0 && (
          <text x={PAD.left + innerW / 2} y={PAD.top + innerH / 2} textAnchor="middle" className="chart-empty-text">
            No sync activity in the last hour
          </text>
        )}
      </svg>
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
            {buckets.map((b) => (
              <tr key={b.t}>
                <td>{formatClock(b.t).slice(0, 5)}</td>
                {series.map((s) => (
                  <td key={s.key}>{fmt(b.values[s.key] ?? 0)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
