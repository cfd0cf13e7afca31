import type { BeoRevision } from "@maestro/shared/maestro.schema";
import { Badge } from "../../../components/badge";
import { ErrorBanner } from "../../../components/feedback";
import { fieldLabel, formatTimestamp } from "../../../lib/format";
import { useBeoRevisions } from "../api/get-beo-revisions";
import { ChangeValues } from "./change-values";

const sourceLabel: Record<BeoRevision["source"], string> = { user: "User", echo: "Echo CRM", system: "System" };

function groupByVersion(revisions: BeoRevision[]) {
  const groups = new Map<number, BeoRevision[]>();
  for (const r of revisions) {
    const list = groups.get(r.version);
    if (list) list.push(r);
    else groups.set(r.version, [r]);
  }
  return [...groups.entries()].sort((a, b) => b[0] - a[0]);
}

export function RevisionHistory({
  beoId,
  version,
  approvedVersion,
}: {
  beoId: string;
  version: number;
  approvedVersion?: number;
}) {
  const { data, error, refetch, isLoading } = useBeoRevisions(beoId, version);
  const groups = groupByVersion(data ?? []);

  return (
    <section className="card revision-history" aria-labelledby="revisions-heading">
      <h2 id="revisions-heading">Revision history</h2>
      {error ? <ErrorBanner error={error} onRetry={refetch} /> : null}
      {isLoading && <p className="muted">Loading revisions…</p>}
      {!isLoading && groups.length === 0 && !error && <p className="muted">No changes recorded yet.</p>}
      <ol className="revision-list">
        {groups.map(([v, entries]) => {
          const first = entries[0]!;
          return (
            <li key={v} className="revision">
              <div className="revision-head">
                <span className="revision-version">v{v}</span>
                {approvedVersion === v && <Badge tone="success">Approved</Badge>}
                <Badge tone={first.source === "echo" ? "info" : first.source === "system" ? "neutral" : "accent"}>
                  {sourceLabel[first.source]}
                </Badge>
                <span className="revision-who">{first.who}</span>
                <time className="revision-at" dateTime={first.at}>
                  {formatTimestamp(first.at)}
                </time>
              </div>
              <ul className="revision-changes">
                {entries.map((r) => (
                  <li key={r.id}>
                    <span className="change-field">{fieldLabel(r.field)}</span>
                    <ChangeValues field={r.field} from={r.old} to={r.new} />
                  </li>
                ))}
              </ul>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
