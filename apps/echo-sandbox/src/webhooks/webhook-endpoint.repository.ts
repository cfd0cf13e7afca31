import type { EchoWebhookEventType, WebhookEndpoint } from "@maestro/shared/echo-event.schema";
import type { SandboxDatabase } from "../db/database.ts";

export type StoredEndpoint = WebhookEndpoint & { secret: string; createdAtMs: number };

type EndpointRow = {
  id: string;
  url: string;
  secret: string;
  events: string;
  status: "active" | "disabled";
  created_at_ms: number;
};

function toEndpoint(row: EndpointRow): StoredEndpoint {
  return {
    id: row.id,
    url: row.url,
    secret: row.secret,
    events: JSON.parse(row.events) as EchoWebhookEventType[],
    status: row.status,
    createdAt: new Date(row.created_at_ms).toISOString(),
    createdAtMs: row.created_at_ms,
  };
}

export function createWebhookEndpointRepository(db: SandboxDatabase) {
  const byId = db.prepare<[string], EndpointRow>("SELECT * FROM webhook_endpoints WHERE id = ?");
  const byUrl = db.prepare<[string], EndpointRow>("SELECT * FROM webhook_endpoints WHERE url = ?");
  const all = db.prepare<[], EndpointRow>("SELECT * FROM webhook_endpoints ORDER BY created_at_ms, id");
  const insert = db.prepare(
    `INSERT INTO webhook_endpoints (id, url, secret, events, status, created_at_ms)
     VALUES (@id, @url, @secret, @events, 'active', @createdAtMs)`,
  );
  const reactivate = db.prepare(
    "UPDATE webhook_endpoints SET secret = @secret, events = @events, status = 'active', disabled_reason = NULL WHERE id = @id",
  );
  const disable = db.prepare<[string, string]>(
    "UPDATE webhook_endpoints SET status = 'disabled', disabled_reason = ? WHERE id = ?",
  );
  const remove = db.prepare<[string]>("DELETE FROM webhook_endpoints WHERE id = ?");
  const clear = db.prepare("DELETE FROM webhook_endpoints");

  return {
    get(id: string): StoredEndpoint | undefined {
      const row = byId.get(id);
      return row ? toEndpoint(row) : undefined;
    },
    findByUrl(url: string): StoredEndpoint | undefined {
      const row = byUrl.get(url);
      return row ? toEndpoint(row) : undefined;
    },
    list(): StoredEndpoint[] {
      return all.all().map(toEndpoint);
    },
    insert(endpoint: { id: string; url: string; secret: string; events: EchoWebhookEventType[]; createdAtMs: number }) {
      insert.run({ ...endpoint, events: JSON.stringify(endpoint.events) });
    },
    reactivate(id: string, secret: string, events: EchoWebhookEventType[]) {
      reactivate.run({ id, secret, events: JSON.stringify(events) });
    },
    disable(id: string, reason: string) {
      disable.run(reason, id);
    },
    remove(id: string): boolean {
      return remove.run(id).changes > 0;
    },
    clear() {
      clear.run();
    },
  };
}
export type WebhookEndpointRepository = ReturnType<typeof createWebhookEndpointRepository>;
