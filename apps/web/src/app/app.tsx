import { useEffect } from "react";
import { Loading } from "../components/feedback";
import { Toaster } from "../components/toaster";
import { getMe } from "../features/auth/api/get-me";
import { LoginPage } from "../features/auth/components/login-page";
import { setCsrfToken, setUnauthorizedHandler } from "../lib/api-client";
import { connectLiveEvents, disconnectLiveEvents } from "../lib/live-events";
import { navigate, useLocation } from "../lib/router";
import { useSession } from "../stores/session-store";
import { AppRoutes } from "./app-routes";
import { AppShell } from "./app-shell";

export function App() {
  const status = useSession((s) => s.status);
  const setMe = useSession((s) => s.setMe);
  const { pathname } = useLocation();

  // Resolve the session once at start; a later 401 sends the user to /login.
  useEffect(() => {
    setUnauthorizedHandler(() => {
      setCsrfToken(null);
      useSession.getState().setMe(null);
    });
    getMe()
      .then((me) => {
        setCsrfToken(me?.csrfToken);
        setMe(me);
      })
      .catch(() => setMe(null));
  }, [setMe]);

  useEffect(() => {
    if (status === "authenticated") connectLiveEvents();
    else disconnectLiveEvents();
  }, [status]);

  useEffect(() => {
    if (status === "anonymous" && pathname !== "/login") {
      const next = window.location.pathname + window.location.search;
      navigate(next === "/" ? "/login" : `/login?next=${encodeURIComponent(next)}`, { replace: true });
    }
    if (status === "authenticated" && (pathname === "/login" || pathname === "/")) {
      const next = new URLSearchParams(window.location.search).get("next");
      navigate(next && next.startsWith("/") && !next.startsWith("//") ? next : "/calendar", { replace: true });
    }
  }, [status, pathname]);

  if (status === "unknown") return <Loading label="Loading Maestro…" />;

  return (
    <>
      {status === "anonymous" ? (
        <LoginPage />
      ) : (
        <AppShell>
          <AppRoutes pathname={pathname} />
        </AppShell>
      )}
      <Toaster />
    </>
  );
}
