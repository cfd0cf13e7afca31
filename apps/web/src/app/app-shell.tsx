import { useEffect, type ReactNode } from "react";
import { CalendarIcon, PlugIcon } from "../components/icons";
import { UserMenu } from "../features/auth/components/user-menu";
import { SyncStatusIndicator } from "../features/integration/components/sync-status-indicator";
import { NotificationsBell } from "../features/notifications/components/notifications-bell";
import { useLiveEvent } from "../lib/live-events";
import { Link, useLocation } from "../lib/router";
import { useBEOStore } from "../stores/beo-store";

const nav = [
  { to: "/calendar", label: "Calendar", icon: CalendarIcon },
  { to: "/integration", label: "Integration", icon: PlugIcon },
];

export function AppShell({ children }: { children: ReactNode }) {
  const { pathname } = useLocation();
  const refreshSyncStatus = useBEOStore((s) => s.refreshSyncStatus);
  const conflicts = useBEOStore((s) => s.syncStatus?.counts.conflicts ?? 0);

  // The sync indicator is on every page: keep its status fresh.
  useEffect(() => {
    void refreshSyncStatus();
    const timer = setInterval(() => void refreshSyncStatus(), 30_000);
    return () => clearInterval(timer);
  }, [refreshSyncStatus]);
  useLiveEvent(["sync.status", "conflict.changed"], () => void refreshSyncStatus());

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/calendar" className="brand" aria-label="Maestro Banquets home">
          <span className="brand-mark" aria-hidden="true">
            M
          </span>
          <span className="brand-name">Maestro Banquets</span>
        </Link>
        <nav aria-label="Main" className="main-nav">
          {nav.map(({ to, label, icon: Icon }) => {
            const active = pathname === to || pathname.startsWith(`${to}/`);
            return (
              <Link key={to} to={to} className="nav-link" aria-current={active ? "page" : undefined}>
                <Icon />
                {label}
                {to === "/integration" && conflicts > 0 && (
                  <>
                    <span className="nav-count" aria-hidden="true">
                      {conflicts}
                    </span>
                    <span className="sr-only">, {conflicts} open conflicts</span>
                  </>
                )}
              </Link>
            );
          })}
        </nav>
        <div className="topbar-tools">
          <SyncStatusIndicator />
          <NotificationsBell />
          <UserMenu />
        </div>
      </header>
      <main id="main" className="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
