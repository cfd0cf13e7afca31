import { useRef, useState } from "react";
import { useDismiss } from "../../../lib/use-dismiss";
import { BellIcon } from "../../../components/icons";
import { formatRelative } from "../../../lib/format";
import { navigate } from "../../../lib/router";
import { useNotifications } from "../api/get-notifications";
import { markAllNotificationsRead } from "../api/mark-all-notifications-read";
import { markNotificationRead } from "../api/mark-notification-read";

export function NotificationsBell() {
  const { data, refetch, error } = useNotifications();
  const [open, setOpen] = useState(false);
  const [markingAll, setMarkingAll] = useState(false);
  const rootRef = useRef<HTMLDivElement>(null);
  const items = data?.items ?? [];
  const unread = data?.unread ?? 0;

  useDismiss(open, () => setOpen(false), rootRef);

  const openNotification = async (id: string, link?: string | null) => {
    try {
      await markNotificationRead(id);
    } catch {
      // marking read is best effort
    }
    refetch();
    if (link) {
      setOpen(false);
      navigate(link);
    }
  };

  const markAllRead = async () => {
    setMarkingAll(true);
    try {
      await markAllNotificationsRead();
    } catch {
      // best effort, as for one notification: the list shows what is still unread
    } finally {
      setMarkingAll(false);
      refetch();
    }
  };

  return (
    <div className="bell" ref={rootRef}>
      <button
        type="button"
        className="icon-button bell-button"
        aria-expanded={open}
        aria-controls="notifications-panel"
        aria-label={unread ? `Notifications, ${unread} unread` : "Notifications"}
        onClick={() => setOpen((o) => !o)}
      >
        <BellIcon size={18} />
        {unread > 0 && (
          <span className="bell-count" aria-hidden="true">
            {unread > 99 ? "99+" : unread}
          </span>
        )}
      </button>
      {open && (
        <div
          id="notifications-panel"
          className="popover notifications-panel"
          role="region"
          aria-label="Notifications list"
        >
          <div className="notifications-header">
            <h2 className="popover-title">Notifications</h2>
            {unread > 0 && (
              <button type="button" className="link-button" disabled={markingAll} onClick={() => void markAllRead()}>
                Mark all read
              </button>
            )}
          </div>
          {error ? <p className="muted">Notifications are unavailable.</p> : null}
          {!error && items.length === 0 && <p className="muted">Nothing new.</p>}
          <ul className="notification-list">
            {items.slice(0, 30).map((n) => (
              <li key={n.id} className={n.readAt ? "notification" : "notification notification-unread"}>
                <button type="button" className="notification-button" onClick={() => openNotification(n.id, n.link)}>
                  <span className="notification-message">{n.message}</span>
                  <span className="notification-meta">
                    {!n.readAt && <span className="sr-only">Unread. </span>}
                    {formatRelative(n.createdAt)}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
