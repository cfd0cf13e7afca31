import type { ContractStatus, BeoStatus } from "@maestro/shared/echo-event.schema";
import type { CalendarStatus } from "@maestro/shared/maestro.schema";
import type { ReactNode } from "react";
import { humanize } from "../lib/format";

export type Tone = "neutral" | "info" | "success" | "warning" | "danger" | "accent";

export function Badge({ tone = "neutral", children, title }: { tone?: Tone; children: ReactNode; title?: string }) {
  return (
    <span className={`badge badge-${tone}`} title={title}>
      {children}
    </span>
  );
}

const contractTones: Record<ContractStatus, Tone> = {
  inquiry: "neutral",
  tentative: "warning",
  contract_sent: "info",
  signed: "success",
  cancelled: "danger",
  lost: "danger",
};

export function ContractBadge({ status }: { status: ContractStatus }) {
  return (
    <Badge tone={contractTones[status]} title="Contract status in Echo CRM">
      Contract: {status === "contract_sent" ? "sent" : status}
    </Badge>
  );
}

const calendarTones: Record<CalendarStatus, Tone> = {
  inquiry: "neutral",
  tentative: "warning",
  confirmed: "success",
  cancelled: "danger",
};

export function EventStatusBadge({ status }: { status: CalendarStatus }) {
  return <Badge tone={calendarTones[status]}>{humanize(status)}</Badge>;
}

const beoTones: Record<BeoStatus, Tone> = {
  draft: "neutral",
  pending_approval: "warning",
  approved: "success",
  cancelled: "danger",
};

export function BeoStatusBadge({ status }: { status: BeoStatus }) {
  return <Badge tone={beoTones[status]}>{status === "pending_approval" ? "Pending approval" : humanize(status)}</Badge>;
}

const opTones: Record<string, Tone> = {
  succeeded: "success",
  failed: "danger",
  skipped: "neutral",
  conflict: "warning",
  pending: "info",
};

export function OperationStatusBadge({ status }: { status: string }) {
  return <Badge tone={opTones[status] ?? "neutral"}>{humanize(status)}</Badge>;
}
