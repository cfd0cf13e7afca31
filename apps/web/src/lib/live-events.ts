import { useEffect, useRef } from "react";
import { create } from "zustand";

// Live updates over Server-Sent Events (`GET /api/stream`). Components subscribe
// to event names and refetch what they show. After a reconnect every subscriber
// is told to refetch, because events may have been missed while offline.

export const liveEventNames = [
  "calendar.changed",
  "beo.changed",
  "sync.status",
  "conflict.changed",
  "notification",
] as const;
export type LiveEventName = (typeof liveEventNames)[number];
export type LiveHandler = (name: LiveEventName | "reconnected", data: Record<string, unknown>) => void;

type LiveState = { state: "idle" | "connecting" | "open" | "reconnecting" };
export const useLiveConnection = create<LiveState>(() => ({ state: "idle" }));

const handlers = new Map<LiveEventName, Set<LiveHandler>>();
let source: EventSource | null = null;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let retryDelay = 1000;
let hadConnection = false;

function dispatch(name: LiveEventName | "reconnected", data: Record<string, unknown>): void {
  if (name === "reconnected") {
    const all = new Set<LiveHandler>();
    handlers.forEach((set) => set.forEach((h) => all.add(h)));
    all.forEach((h) => h(name, data));
    return;
  }
  handlers.get(name)?.forEach((h) => h(name, data));
}

export function connectLiveEvents(): void {
  if (source) return;
  useLiveConnection.setState({ state: hadConnection ? "reconnecting" : "connecting" });
  const es = new EventSource("/api/stream", { withCredentials: true });
  source = es;
  es.onopen = () => {
    retryDelay = 1000;
    useLiveConnection.setState({ state: "open" });
    if (hadConnection) dispatch("reconnected", {});
    hadConnection = true;
  };
  es.onerror = () => {
    // EventSource retries by itself while readyState is CONNECTING; when the
    // server refused the stream (CLOSED) we retry with our own backoff.
    if (es.readyState === EventSource.CLOSED) {
      source = null;
      useLiveConnection.setState({ state: "reconnecting" });
      retryTimer = setTimeout(connectLiveEvents, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 30_000);
    } else {
      useLiveConnection.setState({ state: "reconnecting" });
    }
  };
  for (const name of liveEventNames) {
    es.addEventListener(name, (event) => {
      let data: Record<string, unknown> = {};
      try {
        data = JSON.parse((event as MessageEvent<string>).data || "{}") as Record<string, unknown>;
      } catch {
        // an empty or non-JSON payload still means "refetch"
      }
      dispatch(name, data);
    });
  }
}

export function disconnectLiveEvents(): void {
  clearTimeout(retryTimer);
  source?.close();
  source = null;
  hadConnection = false;
  useLiveConnection.setState({ state: "idle" });
}

export function subscribeLive(names: readonly LiveEventName[], handler: LiveHandler): () => void {
  for (const name of names) {
    let set = handlers.get(name);
    if (!set) handlers.set(name, (set = new Set()));
    set.add(handler);
  }
  return () => names.forEach((name) => handlers.get(name)?.delete(handler));
}

// Subscribes for the component's lifetime; the latest handler is always used.
// Handlers refetch, so a burst of events (a busy sync sends one per change) is
// answered with one call `throttleMs` after its first event, and one per window
// while it lasts; the call gets the burst's last event.
export function useLiveEvent(names: readonly LiveEventName[], handler: LiveHandler, throttleMs = 250): void {
  const ref = useRef(handler);
  ref.current = handler;
  const key = names.join(",");
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last: Parameters<LiveHandler> | undefined;
    const unsubscribe = subscribeLive(key.split(",") as LiveEventName[], (name, data) => {
      last = [name, data];
      if (timer !== undefined) return;
      timer = setTimeout(() => {
        timer = undefined;
        if (last) ref.current(...last);
      }, throttleMs);
    });
    return () => {
      clearTimeout(timer);
      unsubscribe();
    };
  }, [key, throttleMs]);
}
