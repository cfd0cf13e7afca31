import { z } from "zod";

// Echo CRM Events API v1 (CONTRACT §5). Shared by the sandbox (which serves it)
// and Maestro (which consumes it), so the two can never drift apart.

const isCalendarDate = (value: string) => {
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
};
export const dateString = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "expected YYYY-MM-DD")
  .refine(isCalendarDate, "not a calendar date");
export const timeString = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "expected HH:mm");

export const contractStatuses = ["inquiry", "tentative", "contract_sent", "signed", "cancelled", "lost"] as const;
export const contractStatusSchema = z.enum(contractStatuses);
export type ContractStatus = z.infer<typeof contractStatusSchema>;

export const beoStatuses = ["draft", "pending_approval", "approved", "cancelled"] as const;
export const beoStatusSchema = z.enum(beoStatuses);
export type BeoStatus = z.infer<typeof beoStatusSchema>;

export const guestCountSchema = z.strictObject({
  expected: z.number().int().min(0).max(100_000).optional(),
  guaranteed: z.number().int().min(0).max(100_000),
});

export const budgetSchema = z.strictObject({
  totalBudget: z.number().min(0).max(1_000_000_000),
  currency: z.string().regex(/^[A-Z]{3}$/, "expected an ISO 4217 code"),
});

const text = (max: number) => z.string().max(max);

export const echoEventSchema = z.object({
  id: z.string().min(1).max(64),
  eventName: text(200),
  eventDate: dateString,
  eventTime: timeString,
  endTime: timeString.optional(),
  timezone: text(64),
  venue: text(200),
  room: text(200),
  guestCount: guestCountSchema,
  contractStatus: contractStatusSchema,
  budget: budgetSchema,
  clientName: text(200),
  clientEmail: text(320).optional(),
  clientPhone: text(64).optional(),
  salesRepName: text(200),
  salesRepEmail: text(320).optional(),
  specialRequests: text(10_000),
  beoId: text(64).optional(),
  beoStatus: beoStatusSchema.optional(),
  version: z.number().int().min(1),
  createdAt: z.string(),
  updatedAt: z.string(),
  deletedAt: z.string().optional(),
});
export type EchoCRMEvent = z.infer<typeof echoEventSchema>;

// Fields a client may write. Server-owned fields (id, version, timestamps) are refused.
export const echoEventCreateSchema = z.strictObject({
  eventName: text(200).min(1),
  eventDate: dateString,
  eventTime: timeString,
  endTime: timeString.optional(),
  timezone: text(64).default("UTC"),
  venue: text(200).default(""),
  room: text(200).min(1),
  guestCount: guestCountSchema,
  contractStatus: contractStatusSchema.default("inquiry"),
  budget: budgetSchema.default({ totalBudget: 0, currency: "USD" }),
  clientName: text(200).min(1),
  clientEmail: z.email().max(320).optional(),
  clientPhone: text(64).optional(),
  salesRepName: text(200).default(""),
  salesRepEmail: z.email().max(320).optional(),
  specialRequests: text(10_000).default(""),
});
export type EchoEventCreate = z.input<typeof echoEventCreateSchema>;

export const echoEventPatchSchema = z.strictObject({
  eventName: text(200).min(1).optional(),
  eventDate: dateString.optional(),
  eventTime: timeString.optional(),
  endTime: timeString.nullable().optional(),
  timezone: text(64).optional(),
  venue: text(200).optional(),
  room: text(200).min(1).optional(),
  guestCount: z
    .strictObject({
      expected: z.number().int().min(0).max(100_000).nullable().optional(),
      guaranteed: z.number().int().min(0).max(100_000).optional(),
    })
    .optional(),
  contractStatus: contractStatusSchema.optional(),
  budget: budgetSchema.partial().optional(),
  clientName: text(200).min(1).optional(),
  clientEmail: z.email().max(320).nullable().optional(),
  clientPhone: text(64).nullable().optional(),
  salesRepName: text(200).optional(),
  salesRepEmail: z.email().max(320).nullable().optional(),
  specialRequests: text(10_000).optional(),
  beoId: text(64).nullable().optional(),
  beoStatus: beoStatusSchema.nullable().optional(),
});
export type EchoEventPatch = z.infer<typeof echoEventPatchSchema>;

export const echoEventListQuerySchema = z.strictObject({
  updatedSince: z.iso.datetime({ offset: true }).optional(),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(100),
  includeDeleted: z.enum(["true", "false"]).optional(),
});

export const echoEventPageSchema = z.object({
  data: z.array(echoEventSchema),
  nextCursor: z.string().nullable(),
});
export type EchoEventPage = z.infer<typeof echoEventPageSchema>;

export const echoWebhookEventTypes = ["event.created", "event.updated", "contract.signed", "event.deleted"] as const;
export const echoWebhookEventTypeSchema = z.enum(echoWebhookEventTypes);
export type EchoWebhookEventType = z.infer<typeof echoWebhookEventTypeSchema>;

export const maestroWebhookEventTypes = ["beo.created", "beo.updated", "beo.approved"] as const;
export const maestroWebhookEventTypeSchema = z.enum(maestroWebhookEventTypes);
export type MaestroWebhookEventType = z.infer<typeof maestroWebhookEventTypeSchema>;

export const webhookEndpointCreateSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).max(2000),
  secret: z.string().min(8).max(500),
  events: z.array(echoWebhookEventTypeSchema).min(1).optional(),
});

export const webhookEndpointSchema = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(echoWebhookEventTypeSchema),
  status: z.enum(["active", "disabled"]),
  createdAt: z.string(),
});
export type WebhookEndpoint = z.infer<typeof webhookEndpointSchema>;

export const echoNotificationSchema = z.object({
  id: z.string(),
  eventId: z.string().optional(),
  kind: z.string(),
  message: z.string(),
  createdAt: z.string(),
});
export type EchoNotification = z.infer<typeof echoNotificationSchema>;

export const sandboxFaultsSchema = z.strictObject({
  dropRate: z.number().min(0).max(1).optional(),
  duplicateRate: z.number().min(0).max(1).optional(),
  reorderWindowMs: z.number().int().min(0).max(60_000).optional(),
  errorRate: z.number().min(0).max(1).optional(),
  latencyMs: z.number().int().min(0).max(60_000).optional(),
  clockSkewMs: z.number().int().min(-86_400_000).max(86_400_000).optional(),
  rateLimitPerSecond: z.number().int().min(0).max(100_000).optional(),
});
export type SandboxFaults = z.infer<typeof sandboxFaultsSchema>;

export const sandboxSeedSchema = z.strictObject({
  count: z.number().int().min(0).max(100_000).default(40),
  seed: z.number().int().default(1),
});
