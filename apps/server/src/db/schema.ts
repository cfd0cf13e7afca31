import type { Generated, Kysely } from "kysely";

// Table types as seen through Kysely's CamelCasePlugin: columns are snake_case
// in the database, camelCase here. Timestamps are ISO-8601 UTC strings in both
// SQLite and PostgreSQL so ordering and comparison behave the same on both.

export interface OrganizationsTable {
  id: string;
  slug: string;
  name: string;
  beoSeq: number;
  createdAt: string;
}

export interface UsersTable {
  id: string;
  orgId: string;
  email: string;
  name: string;
  role: string;
  passwordHash: string;
  createdAt: string;
}

export interface SessionsTable {
  id: string; // sha-256 of the cookie token
  userId: string;
  orgId: string;
  csrfToken: string;
  createdAt: string;
  expiresAt: string;
}

export interface ApiKeysTable {
  id: string;
  orgId: string;
  name: string;
  role: string;
  keyHash: string;
  keyPrefix: string;
  createdBy: string | null;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export interface RoomsTable {
  id: string;
  orgId: string;
  name: string;
  capacity: number;
  combinesWith: string; // JSON array of room names
  createdAt: string;
}

export interface CalendarEventsTable {
  id: string;
  orgId: string;
  title: string;
  date: string;
  time: string;
  endTime: string | null;
  room: string;
  guestCount: number;
  status: string;
  revenue: number | null;
  clientName: string | null;
  salesRepName: string | null;
  notes: string | null;
  source: string;
  echoEventId: string | null;
  contractStatus: string | null;
  beoId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface BeosTable {
  id: string;
  orgId: string;
  beoNumber: number;
  version: number;
  status: string;
  doc: string; // JSON: {header, event, menu, setup}
  echoEventId: string | null;
  calendarEventId: string;
  approvedVersion: number | null;
  approvedDoc: string | null;
  approvedBy: string | null;
  approvedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface BeoRevisionsTable {
  id: string;
  orgId: string;
  beoId: string;
  version: number;
  field: string;
  oldValue: string | null; // JSON
  newValue: string | null; // JSON
  who: string;
  source: string;
  at: string;
}

export interface NotificationsTable {
  id: string;
  orgId: string;
  audience: string; // a role, or "all"
  kind: string;
  message: string;
  link: string | null;
  createdAt: string;
  readAt: string | null;
}

export interface AuditLogTable {
  id: string;
  orgId: string;
  actor: string;
  action: string;
  target: string | null;
  details: string | null;
  at: string;
}

export interface IntegrationConfigsTable {
  orgId: string;
  echoApiUrl: string;
  echoApiKeyEnc: string;
  maestroApiUrl: string;
  maestroApiKeyEnc: string;
  webhookSecretEnc: string;
  previousWebhookSecretEnc: string | null;
  syncDirection: string;
  autoSync: number;
  syncInterval: number;
  conflictResolution: string;
  enabled: number;
  echoEndpointId: string | null;
  syncCursor: string | null;
  lastSyncAt: string | null;
  nextSyncAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface WebhookInboxTable {
  id: string;
  orgId: string;
  webhookId: string;
  type: string;
  echoEventId: string | null;
  payload: string | null; // pruned after processing and the retention period
  status: string; // pending | processed | rejected
  error: string | null;
  receivedAt: string;
  processedAt: string | null;
}

export interface SyncJobsTable {
  seq: Generated<number>;
  id: string;
  orgId: string;
  kind: string;
  orderingKey: string;
  payload: string;
  status: string; // queued | running | done | failed
  attempts: number;
  maxAttempts: number;
  runAt: string;
  lockedBy: string | null;
  lockedUntil: string | null;
  lastError: string | null;
  operationId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface SyncLinksTable {
  orgId: string;
  echoEventId: string;
  calendarEventId: string;
  echoVersion: number;
  base: string; // JSON CanonicalFields both sides last agreed on
  maestroChangedAt: string; // JSON {field: ISO time of the last Maestro change}
  echoBeoId: string | null;
  echoBeoStatus: string | null;
  deleted: number;
  updatedAt: string;
  // JSON {version, values}: a push under way (see SyncLink.pushing), or null.
  pushing: string | null;
}

export interface SyncOperationsTable {
  id: string;
  orgId: string;
  direction: string;
  trigger: string;
  echoEventId: string | null;
  beoId: string | null;
  status: string;
  changes: string; // JSON [{field, from, to}]
  error: string | null;
  reason: string | null;
  webhookId: string | null;
  startedAt: string;
  durationMs: number;
}

export interface DataConflictsTable {
  id: string;
  orgId: string;
  echoEventId: string;
  beoId: string | null;
  status: string;
  fields: string; // JSON [{field, baseValue, echoValue, maestroValue}]
  policy: string;
  detectedAt: string;
  resolvedAt: string | null;
  resolution: string | null;
  resolvedBy: string | null;
}

export interface AlertsTable {
  id: string;
  orgId: string;
  rule: string;
  severity: string;
  message: string;
  raisedAt: string;
  resolvedAt: string | null;
}

export interface Database {
  integrationConfigs: IntegrationConfigsTable;
  webhookInbox: WebhookInboxTable;
  syncJobs: SyncJobsTable;
  syncLinks: SyncLinksTable;
  syncOperations: SyncOperationsTable;
  dataConflicts: DataConflictsTable;
  alerts: AlertsTable;
  organizations: OrganizationsTable;
  users: UsersTable;
  sessions: SessionsTable;
  apiKeys: ApiKeysTable;
  rooms: RoomsTable;
  calendarEvents: CalendarEventsTable;
  beos: BeosTable;
  beoRevisions: BeoRevisionsTable;
  notifications: NotificationsTable;
  auditLog: AuditLogTable;
  calendarSearch: { rowid: Generated<number>; eventId: string; body: string };
}

export type Db = Kysely<Database>;
