import type { CalendarEvent } from "@maestro/shared/maestro.schema";
import { ContractBadge, EventStatusBadge } from "../../../components/badge";
import { EchoIcon } from "../../../components/echo-icon";
import { formatShortDate } from "../../../lib/format";
import { DoubleBookedIcon } from "./event-chip";

type Props = {
  query: string;
  results: CalendarEvent[] | undefined;
  loading: boolean;
  limit: number;
  onPick: (event: CalendarEvent) => void;
};

// Search spans all dates (the board only shows one period), so matches are listed here.
export function SearchResults({ query, results, loading, limit, onPick }: Props) {
  const count = results?.length ?? 0;
  return (
    <section className="search-results" aria-label="Search results">
      <p className="search-summary" role="status">
        {loading && !results
          ? `Searching for “${query}”…`
          : `${count === limit ? `${limit}+` : count} match${count === 1 ? "" : "es"} for “${query}”`}
      </p>
      {count > 0 && (
        <ul className="search-list">
          {results!.map((e) => (
            <li key={e.id}>
              <button type="button" className="search-item" onClick={() => onPick(e)}>
                <span className="search-date">
                  {formatShortDate(e.date)} {e.time}
                </span>
                <span className="search-title">
                  {e.source === "echo" && <EchoIcon size={12} />}
                  {e.doubleBookedWith?.length ? <DoubleBookedIcon /> : null}
                  {e.title}
                </span>
                <span className="search-people">
                  {[e.clientName, e.salesRepName && `Rep: ${e.salesRepName}`, e.room].filter(Boolean).join(" · ")}
                </span>
                <span className="search-badges">
                  <EventStatusBadge status={e.status} />
                  {e.contractStatus && <ContractBadge status={e.contractStatus} />}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
