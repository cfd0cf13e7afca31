import type { MaestroWebhookEventType } from "@maestro/shared/echo-event.schema";
import type { FieldChange, MaestroWebhookPayload, SyncOperation } from "@maestro/shared/integration.schema";
import { signWebhook } from "@maestro/shared/webhook-signature";
import type { BeoService } from "../beo/beo.service.ts";
import type { OrgIntegration } from "./integration-runtime.ts";
import type { SyncOperationRepository } from "./sync-operation.repository.ts";

export const ECHO_MAESTRO_WEBHOOK_PATH = "/api/echo-integration/webhooks/maestro";

// Signed Maestro → Echo webhooks (beo.created / beo.updated / beo.approved).
// The webhook-id is fixed when the job is enqueued, so a retry is a redelivery
// Echo can recognise, not a new message.
export class MaestroWebhookSender {
  constructor(
    private readonly beos: BeoService,
    private readonly ops: SyncOperationRepository,
  ) {}

  async send(
    integration: OrgIntegration,
    job: { beoId: string; type: MaestroWebhookEventType; webhookId: string; changes?: FieldChange[] },
    trigger: SyncOperation["trigger"],
  ): Promise<SyncOperation> {
    const started = performance.now();
    const startedAt = new Date().toISOString();
    const beo = await this.beos.get(integration.orgId, job.beoId);
    // Nothing sent: the decision is on record.
    const skipped = (reason: string, sent: { echoEventId: string; webhookId: string } | object = {}) =>
      this.ops.record(integration.orgId, {
        direction: "maestro_to_echo",
        trigger,
        ...sent,
        beoId: beo.id,
        status: "skipped",
        changes: [],
        reason,
        startedAt,
        durationMs: 0,
      });
    if (!beo.echoEventId) return skipped("BEO is not linked to an Echo event");
    if (job.type === "beo.approved" && beo.status !== "approved") {
      // Changed since it was approved (the news waited for Echo, or for a retry): telling
      // sales now that it is approved would be false. The BEO's later news says what it is.
      return skipped(`beo.approved not sent: the BEO is ${beo.status.replace("_", " ")} now`, {
        echoEventId: beo.echoEventId,
        webhookId: job.webhookId,
      });
    }
    const payload: MaestroWebhookPayload = {
      id: job.webhookId,
      type: job.type,
      createdAt: new Date().toISOString(),
      data: { beo, echoEventId: beo.echoEventId, ...(job.changes ? { changes: job.changes } : {}) },
    };
    const body = JSON.stringify(payload);
    const headers = signWebhook(integration.webhookSecrets[0]!, job.webhookId, Date.now() / 1000, body);
    await integration.client.postWebhook(ECHO_MAESTRO_WEBHOOK_PATH, body, {
      ...headers,
      "content-type": "application/json",
    });
    return this.ops.record(integration.orgId, {
      direction: "maestro_to_echo",
      trigger,
      echoEventId: beo.echoEventId,
      beoId: beo.id,
      status: "succeeded",
      changes: [],
      reason: `${job.type} webhook delivered`,
      webhookId: job.webhookId,
      startedAt,
      durationMs: performance.now() - started,
    });
  }
}
