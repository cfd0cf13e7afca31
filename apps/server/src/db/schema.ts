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

export interface Database {
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
