import { useEffect } from "react";
import { BeoEditorPage } from "../features/beo/components/beo-editor-page";
import { CalendarPage } from "../features/calendar/components/calendar-page";
import { IntegrationPage } from "../features/integration/components/integration-page";
import { Link, matchPath } from "../lib/router";

const titles: [string, string][] = [
  ["/calendar", "Calendar"],
  ["/integration", "Echo integration"],
  ["/beos/:id", "BEO"],
];

export function AppRoutes({ pathname }: { pathname: string }) {
  useEffect(() => {
    const match = titles.find(([pattern]) => matchPath(pattern, pathname));
    document.title = match ? `${match[1]} · Maestro Banquets` : "Maestro Banquets";
  }, [pathname]);

  if (matchPath("/calendar", pathname)) return <CalendarPage />;
  if (matchPath("/integration", pathname)) return <IntegrationPage />;
  const beo = matchPath("/beos/:id", pathname);
  if (beo?.id) return <BeoEditorPage key={beo.id} id={beo.id} />;
  return (
    <section className="page">
      <h1>Page not found</h1>
      <p>
        Go to the <Link to="/calendar">calendar</Link>.
      </p>
    </section>
  );
}
