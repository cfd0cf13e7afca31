import { randomUUID } from "node:crypto";
import pg from "pg";
import type { Logger } from "pino";
import { LocalLiveBus, type LiveBus, type LiveEvent } from "./live-bus.ts";

// Live events across Maestro instances sharing one PostgreSQL: published
// locally at once, and with NOTIFY to the other instances, whose LISTEN
// connection hands them to their own SSE clients.
export class PgLiveBus implements LiveBus {
  private readonly local = new LocalLiveBus();
  private readonly instance = randomUUID();
  private listener: pg.Client | undefined;
  private closed = false;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly channel: string,
    private readonly connectionString: string,
    private readonly logger: Logger,
  ) {}

  static async start(
    pool: pg.Pool,
    connectionString: string,
    schema: string | undefined,
    logger: Logger,
  ): Promise<PgLiveBus> {
    const channel = `maestro_live_${(schema ?? "public").replace(/[^a-z0-9_]/gi, "_")}`.toLowerCase();
    const bus = new PgLiveBus(pool, channel, connectionString, logger);
    await bus.listen();
    return bus;
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString });
    client.on("notification", (msg) => {
      if (!msg.payload) return;
      try {
        const { from, event } = JSON.parse(msg.payload) as { from: string; event: LiveEvent };
        if (from !== this.instance) this.local.deliver(event);
      } catch {
        // not ours
      }
    });
    client.on("error", (err) => {
      this.logger.warn({ err: err.message }, "live bus connection lost; reconnecting");
      this.listener = undefined;
      if (!this.closed) setTimeout(() => void this.listen().catch(() => undefined), 1000).unref();
    });
    await client.connect();
    await client.query(`LISTEN ${this.channel}`);
    this.listener = client;
  }

  publish(event: LiveEvent): void {
    this.local.publish(event);
    const payload = JSON.stringify({ from: this.instance, event });
    if (payload.length > 7900) return; // NOTIFY's limit; live events are small ids
    this.pool.query("select pg_notify($1, $2)", [this.channel, payload]).catch((err: Error) => {
      this.logger.warn({ err: err.message }, "live bus notify failed");
    });
  }

  subscribe(listener: (event: LiveEvent) => void): () => void {
    return this.local.subscribe(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.listener?.end().catch(() => undefined);
    await this.local.close();
  }
}
