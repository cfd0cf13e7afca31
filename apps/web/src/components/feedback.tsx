import type { ReactNode } from "react";
import { ApiError, errorMessage } from "../lib/api-client";
import { WarningIcon } from "./icons";

export function ErrorBanner({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const forbidden = error instanceof ApiError && error.status === 403;
  return (
    <div className={`banner ${forbidden ? "banner-info" : "banner-danger"}`} role="alert">
      <WarningIcon />
      <span>{forbidden ? "Your role does not have access to this information." : errorMessage(error)}</span>
      {onRetry && !forbidden && (
        <button type="button" className="button button-small" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <div className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty-state">
      <p className="empty-title">{title}</p>
      {children && <div className="empty-body">{children}</div>}
    </div>
  );
}
