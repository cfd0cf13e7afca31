import type { Alert } from "@maestro/shared/integration.schema";
import type { Logger } from "pino";
import { request } from "undici";
import type { LiveBus } from "../live/live-bus.ts";
import type { NotificationRepository } from "../notifications/notification.repository.ts";
import type { AlertRepository } from "./alert.repository.ts";

export type AlertThresholds = {
  failedSyncs: number; // failed operations within the window
  conflictRate: number; // share of operations that ended in a conflict within the window
  conflictMinOperations: number;
  badSignatures: number; // rejected webhook signatures within the window
  windowMs: number;
  // A reconciliation running longer than this (it holds the organization's pushes to Echo).
  reconciliationRunningMs: number;
};

export const DEFAULT_ALERT_THRESHOLDS: AlertThresholds = {
  failedSyncs: 5,
  conflictRate: 0.2,
  conflictMinOperations: 10,
  badSignatures: 20,
  windowMs: 15 * 60 * 1000,
  reconciliationRunningMs: 30 * 60 * 1000,
};

// Raises and clears alerts: they show in the status, reach ops in the app, and
// go to an optional Slack-compatible webhook (ALERT_WEBHOOK_URL).
export class AlertService {
  constructor(
    private readonly repo: AlertRepository,
    private readonly notifications: NotificationRepository,
    private readonly live: LiveBus,
    private readonly logger: Logger,
    private readonly webhookUrl?: string,
  ) {}

  async raise(orgId: string, rule: string, severity: Alert["severity"], message: string): Promise<void> {
    const { alert, isNew } = await this.repo.raise(orgId, rule, severity, message);
    if (!isNew) return;
    this.logger.warn({ orgId, rule, alertId: alert.id }, `alert raised: ${message}`);
    await this.notifications.add(orgId, ["ops", "admin"], "alert", message, "/integration");
    this.live.publish({ orgId, type: "sync.status", data: {} });
    this.live.publish({ orgId, type: "notification", data: { alertId: alert.id } });
    await this.post({
      text: `:rotating_light: Maestro Banquets — ${severity.toUpperCase()}: ${message}`,
      rule,
      severity,
      orgId,
    });
  }

  async resolve(orgId: string, rule: string): Promise<void> {
    if (await this.repo.resolve(orgId, rule)) {
      this.logger.info({ orgId, rule }, "alert resolved");
      this.live.publish({ orgId, type: "sync.status", data: {} });
      await this.post({ text: `:white_check_mark: Maestro Banquets — resolved: ${rule}`, rule, orgId });
    }
  }

  open(orgId: string) {
    return this.repo.open(orgId);
  }

  private async post(body: Record<string, unknown>) {
    if (!this.webhookUrl) return;
    try {
      const res = await request(this.webhookUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        headersTimeout: 5000,
        bodyTimeout: 5000,
      });
      await res.body.dump();
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, "alert webhook delivery failed");
    }
  }
}
