import { z } from "zod";
import { beoStatusSchema, contractStatusSchema, dateString, timeString } from "./echo-event.schema.ts";

// Maestro Banquets API (CONTRACT §4). Shared by the server and the web app.

export const roles = ["admin", "ops", "chef", "sales", "viewer"] as const;
export const roleSchema = z.enum(roles);
export type Role = z.infer<typeof roleSchema>;

export const calendarStatuses = ["inquiry", "tentative", "confirmed", "cancelled"] as const;
export const calendarStatusSchema = z.enum(calendarStatuses);
export type CalendarStatus = z.infer<typeof calendarStatusSchema>;

const text = (max: number) => z.string().max(max);

export const calendarEventSchema = z.object({
  id: z.string(),
  title: z.string(),
  date: dateString,
  time: timeString,
  endTime: timeString.optional(),
  room: z.string(),
  guestCount: z.number().int(),
  status: calendarStatusSchema,
  revenue: z.number().optional(),
  clientName: z.string().optional(),
  salesRepName: z.string().optional(),
  notes: z.string().optional(),
  source: z.enum(["echo", "maestro"]),
  echoEventId: z.string().optional(),
  contractStatus: contractStatusSchema.optional(),
  beoId: z.string().optional(),
  updatedAt: z.string(),
  // Extension: other active events overlapping this one in the same room.
  doubleBookedWith: z.array(z.string()).optional(),
});
export type CalendarEvent = z.infer<typeof calendarEventSchema>;

export const calendarEventCreateSchema = z.strictObject({
  title: text(200).min(1),
  date: dateString,
  time: timeString,
  endTime: timeString.optional(),
  room: text(200).min(1),
  guestCount: z.number().int().min(0).max(100_000),
  status: calendarStatusSchema.default("tentative"),
  revenue: z.number().min(0).max(1_000_000_000).optional(),
  clientName: text(200).optional(),
  salesRepName: text(200).optional(),
  notes: text(10_000).optional(),
});
export type CalendarEventCreate = z.input<typeof calendarEventCreateSchema>;

export const calendarEventPatchSchema = calendarEventCreateSchema.partial();

export const calendarQuerySchema = z.strictObject({
  from: dateString.optional(),
  to: dateString.optional(),
  q: text(200).optional(),
  room: text(200).optional(),
  source: z.enum(["echo", "maestro"]).optional(),
  status: calendarStatusSchema.optional(),
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
});

export const menuItemSchema = z.strictObject({
  name: text(200).min(1),
  quantity: z.number().int().min(0).max(100_000).optional(),
  dietary: z.array(text(40).min(1)).max(20).optional(),
});
export type MenuItem = z.infer<typeof menuItemSchema>;

export const beoDocumentSchema = z.object({
  id: z.string(),
  version: z.number().int(),
  beoNumber: z.number().int(),
  status: beoStatusSchema,
  header: z.object({
    eventName: z.string(),
    clientName: z.string().optional(),
    salesRepName: z.string().optional(),
  }),
  event: z.object({
    date: dateString,
    time: timeString,
    endTime: timeString.optional(),
    room: z.string(),
    expected: z.number().int().optional(),
    guaranteed: z.number().int(),
    set: z.number().int().optional(),
  }),
  menu: z.object({ items: z.array(menuItemSchema), specialInstructions: z.string() }),
  setup: z.object({ layout: z.string().optional(), specialRequests: z.string() }),
  echoEventId: z.string().optional(),
  calendarEventId: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  // Extension: fields changed since the last approved revision, and fields frozen by an open conflict.
  changedSinceApproval: z.array(z.string()).optional(),
  frozenFields: z.array(z.string()).optional(),
  approvedVersion: z.number().int().optional(),
});
export type BEODocument = z.infer<typeof beoDocumentSchema>;

const beoHeaderInput = z.strictObject({
  eventName: text(200).min(1),
  clientName: text(200).optional(),
  salesRepName: text(200).optional(),
});
const beoEventInput = z.strictObject({
  date: dateString,
  time: timeString,
  endTime: timeString.optional(),
  room: text(200).min(1),
  expected: z.number().int().min(0).max(100_000).optional(),
  guaranteed: z.number().int().min(0).max(100_000),
  set: z.number().int().min(0).max(100_000).optional(),
});
const beoMenuInput = z.strictObject({
  items: z.array(menuItemSchema).max(500).default([]),
  specialInstructions: text(10_000).default(""),
});
const beoSetupInput = z.strictObject({
  layout: text(200).optional(),
  specialRequests: text(10_000).default(""),
});

export const beoCreateSchema = z.union([
  z.strictObject({ calendarEventId: z.string().min(1).max(64) }),
  z.strictObject({
    header: beoHeaderInput,
    event: beoEventInput,
    menu: beoMenuInput.default({ items: [], specialInstructions: "" }),
    setup: beoSetupInput.default({ specialRequests: "" }),
  }),
]);
export type BeoCreate = z.input<typeof beoCreateSchema>;

// A PATCH names only what changes; nested sections merge field by field.
export const beoPatchSchema = z.strictObject({
  header: beoHeaderInput.partial().optional(),
  event: z
    .strictObject({
      date: dateString.optional(),
      time: timeString.optional(),
      endTime: timeString.nullable().optional(),
      room: text(200).min(1).optional(),
      expected: z.number().int().min(0).max(100_000).nullable().optional(),
      guaranteed: z.number().int().min(0).max(100_000).optional(),
      set: z.number().int().min(0).max(100_000).nullable().optional(),
    })
    .optional(),
  menu: z
    .strictObject({
      items: z.array(menuItemSchema).max(500).optional(),
      specialInstructions: text(10_000).optional(),
    })
    .optional(),
  setup: z
    .strictObject({ layout: text(200).nullable().optional(), specialRequests: text(10_000).optional() })
    .optional(),
  status: z.enum(["draft", "pending_approval", "cancelled"]).optional(),
});
export type BeoPatch = z.infer<typeof beoPatchSchema>;

export const beoListQuerySchema = z.strictObject({
  date: dateString.optional(),
  status: beoStatusSchema.optional(),
  echoEventId: text(64).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: text(500).optional(),
});

export const beoRevisionSchema = z.object({
  id: z.string(),
  version: z.number().int(),
  field: z.string(),
  old: z.unknown(),
  new: z.unknown(),
  who: z.string(),
  source: z.enum(["user", "echo", "system"]),
  at: z.string(),
});
export type BeoRevision = z.infer<typeof beoRevisionSchema>;

export const loginSchema = z.strictObject({
  email: z.string().min(3).max(320),
  password: z.string().min(1).max(500),
});

export const apiKeyCreateSchema = z.strictObject({
  name: text(100).min(1),
  role: roleSchema,
});

export const roomSchema = z.object({
  id: z.string(),
  name: z.string(),
  capacity: z.number().int(),
  combinesWith: z.array(z.string()),
});
export type Room = z.infer<typeof roomSchema>;

export const roomCreateSchema = z.strictObject({
  name: text(200).min(1),
  capacity: z.number().int().min(0).max(100_000),
  combinesWith: z.array(text(200)).max(20).default([]),
});

export const meSchema = z.object({
  user: z.object({ id: z.string(), email: z.string(), name: z.string(), role: roleSchema }),
  organization: z.object({ id: z.string(), slug: z.string(), name: z.string() }),
  csrfToken: z.string().optional(),
});
export type Me = z.infer<typeof meSchema>;
