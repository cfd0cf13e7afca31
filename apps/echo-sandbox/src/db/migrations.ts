// Schema of the sandbox store. Append new entries; never edit a shipped one.
export const migrations: string[] = [
  `
  -- Store-wide counters: every write gets the next sequence number and a strictly
  -- increasing updatedAt, which is what makes paging exact.
  CREATE TABLE store_clock (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_seq INTEGER NOT NULL,
    last_time_ms INTEGER NOT NULL
  );
  INSERT INTO store_clock (id, last_seq, last_time_ms) VALUES (1, 0, 0);

  -- Current state of each event (body is the EchoCRMEvent JSON).
  CREATE TABLE events (
    id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    body TEXT NOT NULL
  );

  -- Every version of every event. A listing pass reads the newest version of each
  -- event as of the pass's snapshot sequence; superseded_seq says when a row stopped
  -- being the newest.
  CREATE TABLE event_changes (
    seq INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL,
    superseded_seq INTEGER,
    deleted INTEGER NOT NULL DEFAULT 0,
    body TEXT NOT NULL
  );
  CREATE INDEX event_changes_current ON event_changes (event_id) WHERE superseded_seq IS NULL;
  CREATE INDEX event_changes_time ON event_changes (updated_at_ms);

  CREATE TABLE webhook_endpoints (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    secret TEXT NOT NULL,
    events TEXT NOT NULL,
    status TEXT NOT NULL,
    disabled_reason TEXT,
    created_at_ms INTEGER NOT NULL
  );

  -- One message per event change (its id is the webhook-id) ...
  CREATE TABLE webhook_messages (
    id TEXT PRIMARY KEY,
    event_id TEXT NOT NULL,
    event_version INTEGER NOT NULL,
    type TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL
  );

  -- ... and one delivery per subscribed endpoint, written in the same transaction
  -- as the event change so a crash can never lose one.
  CREATE TABLE webhook_deliveries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id TEXT NOT NULL,
    endpoint_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at_ms INTEGER NOT NULL,
    last_status_code INTEGER,
    last_error TEXT,
    updated_at_ms INTEGER NOT NULL
  );
  CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (status, next_attempt_at_ms);
  CREATE INDEX webhook_deliveries_order ON webhook_deliveries (endpoint_id, event_id, status, seq);

  -- Every delivery the receiver acknowledged with a 2xx (duplicates included).
  CREATE TABLE delivery_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id TEXT NOT NULL,
    endpoint_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event_version INTEGER NOT NULL,
    type TEXT NOT NULL,
    status_code INTEGER NOT NULL,
    attempt INTEGER NOT NULL,
    acknowledged_at_ms INTEGER NOT NULL
  );

  CREATE TABLE notifications (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    event_id TEXT,
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL
  );

  -- Maestro webhooks already applied, for deduplication by webhook-id.
  CREATE TABLE maestro_inbox (
    webhook_id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    echo_event_id TEXT NOT NULL,
    beo_id TEXT NOT NULL,
    beo_version INTEGER NOT NULL,
    received_at_ms INTEGER NOT NULL
  );
  CREATE INDEX maestro_inbox_beo ON maestro_inbox (beo_id, beo_version);
  `,
  `
  -- Claim pending deliveries in queue order without sorting the whole queue.
  DROP INDEX webhook_deliveries_pending;
  CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (status, seq);
  `,
];
