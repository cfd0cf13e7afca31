import { z } from "zod";
import { echoEventSchema, echoWebhookEventTypeSchema, maestroWebhookEventTypeSchema } from "./echo-event.schema.ts";
import { beoDocumentSchema } from "./maestro.schema.ts";

// The Echo integration (CONTRACT §4 integration routes, §6 webhooks).

export const syncDirections = ["bidirectional", "echo_to_maestro", "maestro_to_echo"] as const;
export const conflictPolicies = ["newest_wins", "echo_wins", "maestro_wins", "manual"] as const;
export type SyncDirection = (typeof syncDirections)[number];
export type ConflictPolicy = (typeof conflictPolicies)[number];

const url = z.url({ protocol: /^https?$/ }).max(2000);

export const syncConfigurationSchema = z.strictObject({
  organizationId: z.string().min(1).max(64),
  echoCrmApiUrl: url,
  echoCrmApiKey: z.string().min(1).max(500),
  maestroApiUrl: url,
  maestroApiKey: z.string().min(1).max(500),
  webhookSecret: z.string().min(8).max(500),
  syncDirection: z.enum(syncDirections),
  autoSync: z.boolean(),
  syncInterval: z.number().int().min(1).max(1440),
  conflictResolution: z.enum(conflictPolicies),
});
export type SyncConfiguration = z.infer<typeof syncConfigurationSchema>;

export const syncConfigurationPatchSchema = syncConfigurationSchema
  .omit({ organizationId: true })
  .partial()
  .extend({ enabled: z.boolean().optional() });

export const healthStates = ["healthy", "degraded", "down"] as const;
export type HealthState = (typeof healthStates)[number];

export const alertSchema = z.object({
  id: z.string(),
  rule: z.string(),
  severity: z.enum(["info", "warning", "critical"]),
  message: z.string(),
  raisedAt: z.string(),
  resolvedAt: z.string().optional(),
});
export type Alert = z.infer<typeof alertSchema>;

export const syncStatusSchema = z.object({
  enabled: z.boolean(),
  connection: z.object({
    echoCrm: z.enum(healthStates),
    lastCheckedAt: z.string().nullable(),
    latencyMs: z.number().nullable(),
  }),
  lastSyncAt: z.string().nullable(),
  nextSyncAt: z.string().nullable(),
  counts: z.object({
    synced: z.number(),
    pending: z.number(),
    failed: z.number(),
    conflicts: z.number(),
  }),
  alerts: z.array(alertSchema),
});
export type SyncStatus = z.infer<typeof syncStatusSchema>;

export const fieldChangeSchema = z.object({ field: z.string(), from: z.unknown(), to: z.unknown() });
export type FieldChange = z.infer<typeof fieldChangeSchema>;

export const syncOperationSchema = z.object({
  id: z.string(),
  direction: z.enum(["echo_to_maestro", "maestro_to_echo"]),
  trigger: z.enum(["webhook", "schedule", "manual", "beo_change"]),
  echoEventId: z.string().optional(),
  beoId: z.string().optional(),
  status: z.enum(["succeeded", "failed", "skipped", "conflict", "pending"]),
  changes: z.array(fieldChangeSchema),
  error: z.string().optional(),
  startedAt: z.string(),
  durationMs: z.number(),
  // Extension: why a decision was taken, and the webhook-id that caused it (log correlation).
  reason: z.string().optional(),
  webhookId: z.string().optional(),
});
export type SyncOperation = z.infer<typeof syncOperationSchema>;

export const dataConflictSchema = z.object({
  id: z.string(),
  echoEventId: z.string(),
  beoId: z.string().optional(),
  status: z.enum(["open", "resolved"]),
  fields: z.array(
    z.object({ field: z.string(), baseValue: z.unknown(), echoValue: z.unknown(), maestroValue: z.unknown() }),
  ),
  detectedAt: z.string(),
  resolvedAt: z.string().optional(),
  resolution: z.string().optional(),
  policy: z.string().optional(),
});
export type DataConflict = z.infer<typeof dataConflictSchema>;

export const conflictResolveSchema = z.strictObject({
  resolution: z.enum(["echo", "maestro", "custom"]),
  values: z.record(z.string(), z.unknown()).optional(),
});

export const manualSyncSchema = z.strictObject({
  direction: z.enum(["echo_to_maestro", "maestro_to_echo", "bidirectional"]).optional(),
  full: z.boolean().optional(),
});

export const maestroWebhookSendSchema = z.strictObject({
  beoId: z.string().min(1).max(64),
  type: maestroWebhookEventTypeSchema,
});

export const historyQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
  status: z.enum(["succeeded", "failed", "skipped", "conflict", "pending"]).optional(),
  echoEventId: z.string().max(64).optional(),
});

export const echoWebhookPayloadSchema = z.object({
  id: z.string().min(1).max(200),
  type: echoWebhookEventTypeSchema,
  createdAt: z.string(),
  data: z.object({
    event: echoEventSchema,
    previous: echoEventSchema.partial().optional(),
    changedFields: z.array(z.string()).optional(),
  }),
});
export type EchoWebhookPayload = z.infer<typeof echoWebhookPayloadSchema>;

export const maestroWebhookPayloadSchema = z.object({
  id: z.string().min(1).max(200),
  type: maestroWebhookEventTypeSchema,
  createdAt: z.string(),
  data: z.object({
    beo: beoDocumentSchema,
    echoEventId: z.string(),
    changes: z.array(fieldChangeSchema).optional(),
  }),
});
export type MaestroWebhookPayload = z.infer<typeof maestroWebhookPayloadSchema>;
