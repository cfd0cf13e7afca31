import { EventEmitter } from "node:events";

// Live updates for the web app (SSE). In-process by default; on PostgreSQL the
// bus is bridged through LISTEN/NOTIFY so every instance's clients hear them.
export type LiveEvent = {
  orgId: string;
  type: "calendar.changed" | "beo.changed" | "sync.status" | "conflict.changed" | "notification";
  data: Record<string, unknown>;
  // "sync": announced by the sync worker about its own work (it needs no wake-up for it).
  origin?: "sync";
};

export interface LiveBus {
  publish(event: LiveEvent): void;
  subscribe(listener: (event: LiveEvent) => void): () => void;
  close(): Promise<void>;
}

export class LocalLiveBus implements LiveBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  publish(event: LiveEvent): void {
    this.emitter.emit("event", event);
  }

  // Delivers an event that arrived from another instance.
  deliver(event: LiveEvent): void {
    this.emitter.emit("event", event);
  }

  subscribe(listener: (event: LiveEvent) => void): () => void {
    this.emitter.on("event", listener);
    return () => this.emitter.off("event", listener);
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}
