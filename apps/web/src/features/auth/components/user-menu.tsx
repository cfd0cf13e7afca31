import { useRef, useState } from "react";
import { useDismiss } from "../../../lib/use-dismiss";
import { UserIcon } from "../../../components/icons";
import { setCsrfToken } from "../../../lib/api-client";
import { roleLabels } from "../../../lib/permissions";
import { navigate } from "../../../lib/router";
import { useSession } from "../../../stores/session-store";
import { logout } from "../api/logout";

export function UserMenu() {
  const me = useSession((s) => s.me);
  const setMe = useSession((s) => s.setMe);
  const [open, setOpen] = useState(false);
  const rootRef = useRef<HTMLDivElement>(null);

  useDismiss(open, () => setOpen(false), rootRef);

  if (!me) return null;

  const onLogout = async () => {
    try {
      await logout();
    } finally {
      setCsrfToken(null);
      setMe(null);
      navigate("/login", { replace: true });
    }
  };

  return (
    <div className="user-menu" ref={rootRef}>
      <button
        type="button"
        className="user-button"
        aria-expanded={open}
        aria-controls="user-menu-panel"
        aria-label={`Account: ${me.user.name}, ${roleLabels[me.user.role]}`}
        onClick={() => setOpen((o) => !o)}
      >
        <UserIcon />
        <span className="user-name">{me.user.name}</span>
        <span className="role-pill" data-role={me.user.role}>
          {me.user.role}
        </span>
      </button>
      {open && (
        <div id="user-menu-panel" className="popover user-panel">
          <p className="user-panel-name">{me.user.name}</p>
          <p className="muted">{me.user.email}</p>
          <dl className="kv kv-compact">
            <dt>Role</dt>
            <dd>{roleLabels[me.user.role]}</dd>
            <dt>Organization</dt>
            <dd>{me.organization.name}</dd>
          </dl>
          <button type="button" className="button button-block" onClick={onLogout}>
            Log out
          </button>
        </div>
      )}
    </div>
  );
}
