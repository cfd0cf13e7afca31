import { lazy, Suspense, useEffect } from "react";
import { Loading } from "../components/feedback";
import { Link, matchPath } from "../lib/router";

// Each page is its own chunk: FullCalendar loads only with the calendar.
const CalendarPage = lazy(() =>
  import("../features/calendar/components/calendar-page").then((m) => ({ default: m.CalendarPage })),
);
const BeoEditorPage = lazy(() =>
  import("../features/beo/components/beo-editor-page").then((m) => ({ default: m.BeoEditorPage })),
);
const IntegrationPage = lazy(() =>
  import("../features/integration/components/integration-page").then((m) => ({ default: m.IntegrationPage })),
);

const titles: [string, string][] = [
  ["/calendar", "Calendar"],
  ["/integration", "Echo integration"],
  ["/beos/:id", "BEO"],
];

function Page({ pathname }: { pathname: string }) {
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

export function AppRoutes({ pathname }: { pathname: string }) {
  useEffect(() => {
    const match = titles.find(([pattern]) => matchPath(pattern, pathname));
    document.title = match ? `${match[1]} · Maestro Banquets` : "Maestro Banquets";
  }, [pathname]);

  return (
    <Suspense fallback={<Loading />}>
      <Page pathname={pathname} />
    </Suspense>
  );
}
