import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from "kysely";
import type { DatabaseHandle, DialectName } from "./database.ts";

// Forward-only migrations, applied at start. Never edit a released migration:
// add a new one. Each migration is written once for both dialects.

type Builder = (db: Kysely<unknown>, dialect: DialectName) => Promise<void>;

const double = (dialect: DialectName) => (dialect === "postgres" ? sql`double precision` : sql`real`);

const m0001_foundation: Builder = async (db, dialect) => {
  await db.schema
    .createTable("organizations")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("slug", "text", (c) => c.notNull().unique())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("beo_seq", "integer", (c) => c.notNull().defaultTo(1000))
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("users")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("org_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("email", "text", (c) => c.notNull().unique())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("role", "text", (c) => c.notNull())
    .addColumn("password_hash", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("sessions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("org_id", "text", (c) => c.notNull())
    .addColumn("csrf_token", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("api_keys")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("org_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("role", "text", (c) => c.notNull())
    .addColumn("key_hash", "text", (c) => c.notNull().unique())
    .addColumn("key_prefix", "text", (c) => c.notNull())
    .addColumn("created_by", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("revoked_at", "text")
    .addColumn("last_used_at", "text")
    .execute();
  await db.schema
    .createTable("rooms")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("org_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("capacity", "integer", (c) => c.notNull())
    .addColumn("combines_with", "text", (c) => c.notNull().defaultTo("[]"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addUniqueConstraint("rooms_org_name_unique", ["org_id", "name"])
    .execute();
  await db.schema
    .createTable("calendar_events")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("org_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("date", "text", (c) => c.notNull())
    .addColumn("time", "text", (c) => c.notNull())
    .addColumn("end_time", "text")
    .addColumn("room", "text", (c) => c.notNull())
    .addColumn("guest_count", "integer", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("revenue", double(dialect))
    .addColumn("client_name", "text")
    .addColumn("sales_rep_name", "text")
    .addColumn("notes", "text")
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("echo_event_id", "text")
    .addColumn("contract_status", "text")
    .addColumn("beo_id", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("calendar_events_org_date").on("calendar_events").columns(["org_id", "date"]).execute();
  await db.schema
    .createIndex("calendar_events_org_echo_unique")
    .on("calendar_events")
    .columns(["org_id", "echo_event_id"])
    .unique()
    .where(sql.ref("echo_event_id"), "is not", null)
    .execute();
  await db.schema
    .createTable("beos")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("org_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("beo_number", "integer", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("doc", "text", (c) => c.notNull())
    .addColumn("echo_event_id", "text")
    .addColumn("calendar_event_id", "text", (c) => c.notNull().references("calendar_events.id"))
    .addColumn("approved_version", "integer")
    .addColumn("approved_doc", "text")
    .addColumn("approved_by", "text")
    .addColumn("approved_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addUniqueConstraint("beos_org_number_unique", ["org_id", "beo_number"])
    .execute();
  // At most one BEO per Echo event and per calendar event.
  await db.schema
    .createIndex("beos_org_echo_unique")
    .on("beos")
    .columns(["org_id", "echo_event_id"])
    .unique()
    .where(sql.ref("echo_event_id"), "is not", null)
    .execute();
  await db.schema
    .createIndex("beos_org_calendar_unique")
    .on("beos")
    .columns(["org_id", "calendar_event_id"])
    .unique()
    .execute();
  await db.schema
    .createTable("beo_revisions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("org_id", "text", (c) => c.notNull())
    .addColumn("beo_id", "text", (c) => c.notNull().references("beos.id"))
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("field", "text", (c) => c.notNull())
    .addColumn("old_value", "text")
    .addColumn("new_value", "text")
    .addColumn("who", "text", (c) => c.notNull())
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("beo_revisions_beo").on("beo_revisions").columns(["beo_id", "version"]).execute();
  await db.schema
    .createTable("notifications")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("org_id", "text", (c) => c.notNull())
    .addColumn("audience", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("message", "text", (c) => c.notNull())
    .addColumn("link", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("read_at", "text")
    .execute();
  await db.schema.createIndex("notifications_org").on("notifications").columns(["org_id", "created_at"]).execute();
  await db.schema
    .createTable("audit_log")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("org_id", "text", (c) => c.notNull())
    .addColumn("actor", "text", (c) => c.notNull())
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("target", "text")
    .addColumn("details", "text")
    .addColumn("at", "text", (c) => c.notNull())
    .execute();

  // Calendar search over title, client, sales rep, room and Echo id.
  if (dialect === "postgres") {
    await sql`create extension if not exists pg_trgm with schema public`.execute(db);
    await sql`create index calendar_events_search_trgm on calendar_events
      using gin ((${sql.raw(CALENDAR_SEARCH_EXPRESSION)}) gin_trgm_ops)`.execute(db);
  } else {
    // FTS5 with the trigram tokenizer indexes substring (LIKE) search; triggers keep it current.
    await sql`create virtual table calendar_search using fts5(body, tokenize = 'trigram')`.execute(db);
    for (const stmt of [
      `create trigger calendar_search_ai after insert on calendar_events begin
         insert into calendar_search(rowid, body) values (new.rowid, ${CALENDAR_SEARCH_EXPRESSION_NEW}); end`,
      `create trigger calendar_search_au after update on calendar_events begin
         update calendar_search set body = ${CALENDAR_SEARCH_EXPRESSION_NEW} where rowid = old.rowid; end`,
      `create trigger calendar_search_ad after delete on calendar_events begin
         delete from calendar_search where rowid = old.rowid; end`,
    ]) {
      await sql.raw(stmt).execute(db);
    }
  }
};

export const CALENDAR_SEARCH_EXPRESSION =
  "lower(title || ' ' || coalesce(client_name, '') || ' ' || coalesce(sales_rep_name, '') || ' ' || room || ' ' || coalesce(echo_event_id, ''))";
const CALENDAR_SEARCH_EXPRESSION_NEW =
  "lower(new.title || ' ' || coalesce(new.client_name, '') || ' ' || coalesce(new.sales_rep_name, '') || ' ' || new.room || ' ' || coalesce(new.echo_event_id, ''))";

const m0002_integration: Builder = async (db, dialect) => {
  await db.schema
    .createTable("integration_configs")
    .addColumn("org_id", "text", (c) => c.primaryKey().references("organizations.id"))
    .addColumn("echo_api_url", "text", (c) => c.notNull())
    .addColumn("echo_api_key_enc", "text", (c) => c.notNull())
    .addColumn("maestro_api_url", "text", (c) => c.notNull())
    .addColumn("maestro_api_key_enc", "text", (c) => c.notNull())
    .addColumn("webhook_secret_enc", "text", (c) => c.notNull())
    .addColumn("previous_webhook_secret_enc", "text")
    .addColumn("sync_direction", "text", (c) => c.notNull())
    .addColumn("auto_sync", "integer", (c) => c.notNull())
    .addColumn("sync_interval", "integer", (c) => c.notNull())
    .addColumn("conflict_resolution", "text", (c) => c.notNull())
    .addColumn("enabled", "integer", (c) => c.notNull())
    .addColumn("echo_endpoint_id", "text")
    .addColumn("sync_cursor", "text")
    .addColumn("last_sync_at", "text")
    .addColumn("next_sync_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("webhook_inbox")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("org_id", "text", (c) => c.notNull())
    .addColumn("webhook_id", "text", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("echo_event_id", "text")
    .addColumn("payload", "text")
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("error", "text")
    .addColumn("received_at", "text", (c) => c.notNull())
    .addColumn("processed_at", "text")
    .addUniqueConstraint("webhook_inbox_org_webhook_unique", ["org_id", "webhook_id"])
    .execute();
  await db.schema
    .createIndex("webhook_inbox_received")
    .on("webhook_inbox")
    .columns(["status", "received_at"])
    .execute();
  const seq = dialect === "postgres" ? sql`bigserial primary key` : sql`integer primary key autoincrement`;
  await db.schema
    .createTable("sync_jobs")
    .addColumn("seq", seq)
    .addColumn("id", "text", (c) => c.notNull().unique())
    .addColumn("org_id", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("ordering_key", "text", (c) => c.notNull())
    .addColumn("payload", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("max_attempts", "integer", (c) => c.notNull())
    .addColumn("run_at", "text", (c) => c.notNull())
    .addColumn("locked_by", "text")
    .addColumn("locked_until", "text")
    .addColumn("last_error", "text")
    .addColumn("operation_id", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("sync_jobs_runnable").on("sync_jobs").columns(["status", "run_at"]).execute();
  await db.schema.createIndex("sync_jobs_key").on("sync_jobs").columns(["org_id", "ordering_key", "status"]).execute();
  await db.schema
    .createTable("sync_links")
    .addColumn("org_id", "text", (c) => c.notNull())
    .addColumn("echo_event_id", "text", (c) => c.notNull())
    .addColumn("calendar_event_id", "text", (c) => c.notNull())
    .addColumn("echo_version", "integer", (c) => c.notNull())
    .addColumn("base", "text", (c) => c.notNull())
    .addColumn("maestro_changed_at", "text", (c) => c.notNull().defaultTo("{}"))
    .addColumn("echo_beo_id", "text")
    .addColumn("echo_beo_status", "text")
    .addColumn("deleted", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("sync_links_pk", ["org_id", "echo_event_id"])
    .execute();
  await db.schema
    .createTable("sync_operations")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("org_id", "text", (c) => c.notNull())
    .addColumn("direction", "text", (c) => c.notNull())
    .addColumn("trigger", "text", (c) => c.notNull())
    .addColumn("echo_event_id", "text")
    .addColumn("beo_id", "text")
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("changes", "text", (c) => c.notNull())
    .addColumn("error", "text")
    .addColumn("reason", "text")
    .addColumn("webhook_id", "text")
    .addColumn("started_at", "text", (c) => c.notNull())
    .addColumn("duration_ms", double(dialect), (c) => c.notNull())
    .execute();
  await db.schema.createIndex("sync_operations_org").on("sync_operations").columns(["org_id", "id"]).execute();
  await db.schema
    .createIndex("sync_operations_event")
    .on("sync_operations")
    .columns(["org_id", "echo_event_id"])
    .execute();
  await db.schema
    .createTable("data_conflicts")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("org_id", "text", (c) => c.notNull())
    .addColumn("echo_event_id", "text", (c) => c.notNull())
    .addColumn("beo_id", "text")
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("fields", "text", (c) => c.notNull())
    .addColumn("policy", "text", (c) => c.notNull())
    .addColumn("detected_at", "text", (c) => c.notNull())
    .addColumn("resolved_at", "text")
    .addColumn("resolution", "text")
    .addColumn("resolved_by", "text")
    .execute();
  await db.schema
    .createIndex("data_conflicts_org")
    .on("data_conflicts")
    .columns(["org_id", "status", "echo_event_id"])
    .execute();
  await db.schema
    .createTable("alerts")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("org_id", "text", (c) => c.notNull())
    .addColumn("rule", "text", (c) => c.notNull())
    .addColumn("severity", "text", (c) => c.notNull())
    .addColumn("message", "text", (c) => c.notNull())
    .addColumn("raised_at", "text", (c) => c.notNull())
    .addColumn("resolved_at", "text")
    .execute();
  await db.schema.createIndex("alerts_org").on("alerts").columns(["org_id", "rule", "resolved_at"]).execute();
};

// The worker claims the oldest open jobs in seq order; done jobs (kept for the
// history's retention) must not be scanned or sorted on every claim.
const m0003_syncJobsOpenIndex: Builder = async (db) => {
  await sql`create index sync_jobs_open on sync_jobs (seq) where status in ('queued', 'running')`.execute(db);
};

// An Echo deletion can overtake the creation of an event Maestro has not seen yet:
// the import looks for a deletion already received (only deletions are indexed,
// so the receiver's writes do not pay for it).
const m0004_inboxDeletionsIndex: Builder = async (db) => {
  await sql`create index webhook_inbox_deletions on webhook_inbox (org_id, echo_event_id) where type = 'event.deleted'`.execute(
    db,
  );
};

// What a push is writing to Echo, kept until Echo's answer is on record: when the
// answer is lost, Maestro's own write must not later pass for a change made in Echo.
const m0005_syncLinksPushing: Builder = async (db) => {
  await db.schema.alterTable("sync_links").addColumn("pushing", "text").execute();
};

// SQLite: the calendar's search index is written again only when what it indexes
// changes. Every merge of an Echo change updates the calendar row (a guest count, a
// status), and rewriting its trigrams each time cost more than the rest of the update.
const m0006_calendarSearchOnChange: Builder = async (db, dialect) => {
  if (dialect !== "sqlite") return;
  const changed = ["title", "client_name", "sales_rep_name", "room", "echo_event_id"]
    .map((c) => `new.${c} is not old.${c}`)
    .join(" or ");
  await sql`drop trigger calendar_search_au`.execute(db);
  await sql
    .raw(
      `create trigger calendar_search_au after update on calendar_events when ${changed} begin
         update calendar_search set body = ${CALENDAR_SEARCH_EXPRESSION_NEW} where rowid = old.rowid; end`,
    )
    .execute(db);
};

export const migrations: [string, Builder][] = [
  ["0001_foundation", m0001_foundation],
  ["0002_integration", m0002_integration],
  ["0003_sync_jobs_open_index", m0003_syncJobsOpenIndex],
  ["0004_inbox_deletions_index", m0004_inboxDeletionsIndex],
  ["0005_sync_links_pushing", m0005_syncLinksPushing],
  ["0006_calendar_search_on_change", m0006_calendarSearchOnChange],
];

export async function migrateToLatest(handle: DatabaseHandle, schema?: string): Promise<void> {
  const provider: MigrationProvider = {
    async getMigrations() {
      const all: Record<string, Migration> = {};
      for (const [name, up] of migrations) {
        all[name] = { up: (db) => up(db, handle.dialect) };
      }
      return all;
    },
  };
  // With a schema (one per test server), the bookkeeping tables live there too.
  const migrator = new Migrator({ db: handle.db, provider, ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error || failed) {
    throw new Error(`database migration failed${failed ? ` at ${failed.migrationName}` : ""}`, { cause: error });
  }
}
