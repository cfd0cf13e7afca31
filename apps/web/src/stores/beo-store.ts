import type { DataConflict, SyncConfiguration, SyncStatus } from "@maestro/shared/integration.schema";
import type { BEODocument } from "@maestro/shared/maestro.schema";
import { create } from "zustand";
import { createBeoForCalendarEvent } from "../features/beo/api/create-beo";
import { createBeoFromEchoEvent } from "../features/integration/api/create-beo-from-echo-event";
import { getConflicts } from "../features/integration/api/get-conflicts";
import { getEchoEvents, type EchoEventSummary } from "../features/integration/api/get-echo-events";
import { getIntegrationConfig, type MaskedConfiguration } from "../features/integration/api/get-integration-config";
import { getSyncStatus } from "../features/integration/api/get-sync-status";
import { initializeIntegration } from "../features/integration/api/initialize-integration";
import { resolveConflictRequest, type ConflictResolution } from "../features/integration/api/resolve-conflict";
import { triggerSync, type SyncRequest } from "../features/integration/api/trigger-sync";
import {
  updateIntegrationConfig,
  type ConfigurationPatch,
} from "../features/integration/api/update-integration-config";

// The Echo integration state shared by the calendar, the BEO editor and the
// integration panel (names from DESIGN.md). Live SSE events call the load
// actions; components only read state and call actions.

type LoadState = "idle" | "loading" | "loaded" | "error";

export type BEOStore = {
  echoIntegrationConfig: MaskedConfiguration | null;
  configState: LoadState;
  syncStatus: SyncStatus | null;
  syncStatusError: string | null;
  pendingConflicts: DataConflict[];
  resolvedConflicts: DataConflict[];
  conflictsState: LoadState;
  isIntegrationEnabled: boolean;
  echoCrmEvents: EchoEventSummary[];
  echoEventsQuery: string;
  echoEventsState: LoadState;
  lastSyncRequestedAt: string | null;

  initializeEchoIntegration: (config: SyncConfiguration) => Promise<void>;
  updateEchoIntegration: (patch: ConfigurationPatch) => Promise<void>;
  syncWithEchoCrm: (request?: SyncRequest) => Promise<void>;
  createBEOFromEchoCrmEvent: (echoCrmEventId: string) => Promise<BEODocument>;
  createBEOFromCalendarEvent: (calendarEventId: string) => Promise<BEODocument>;
  resolveConflict: (
    conflictId: string,
    resolution: ConflictResolution,
    values?: Record<string, unknown>,
  ) => Promise<void>;

  loadIntegrationConfig: () => Promise<void>;
  refreshSyncStatus: () => Promise<void>;
  loadConflicts: () => Promise<void>;
  loadEchoCrmEvents: (q?: string) => Promise<void>;
};

let echoEventsRequest = 0;

export const useBEOStore = create<BEOStore>((set, get) => ({
  echoIntegrationConfig: null,
  configState: "idle",
  syncStatus: null,
  syncStatusError: null,
  pendingConflicts: [],
  resolvedConflicts: [],
  conflictsState: "idle",
  isIntegrationEnabled: false,
  echoCrmEvents: [],
  echoEventsQuery: "",
  echoEventsState: "idle",
  lastSyncRequestedAt: null,

  initializeEchoIntegration: async (config) => {
    const status = await initializeIntegration(config);
    set({ syncStatus: status, isIntegrationEnabled: status.enabled });
    await get().loadIntegrationConfig();
  },

  updateEchoIntegration: async (patch) => {
    const updated = await updateIntegrationConfig(patch);
    set({ echoIntegrationConfig: updated ?? get().echoIntegrationConfig });
    await Promise.all([get().loadIntegrationConfig(), get().refreshSyncStatus()]);
  },

  syncWithEchoCrm: async (request = { direction: "bidirectional" }) => {
    await triggerSync(request);
    set({ lastSyncRequestedAt: new Date().toISOString() });
    await get().refreshSyncStatus();
  },

  createBEOFromEchoCrmEvent: async (echoCrmEventId) => {
    const beo = await createBeoFromEchoEvent(echoCrmEventId);
    set({
      echoCrmEvents: get().echoCrmEvents.map((e) => (e.echoEventId === echoCrmEventId ? { ...e, beoId: beo.id } : e)),
    });
    return beo;
  },

  createBEOFromCalendarEvent: (calendarEventId) => createBeoForCalendarEvent(calendarEventId),

  resolveConflict: async (conflictId, resolution, values) => {
    await resolveConflictRequest(conflictId, resolution, values);
    // Optimistically move it out of the open list; the reload confirms.
    const resolved = get().pendingConflicts.find((c) => c.id === conflictId);
    set({
      pendingConflicts: get().pendingConflicts.filter((c) => c.id !== conflictId),
      resolvedConflicts: resolved
        ? [
            { ...resolved, status: "resolved", resolution, resolvedAt: new Date().toISOString() },
            ...get().resolvedConflicts,
          ]
        : get().resolvedConflicts,
    });
    await Promise.all([get().loadConflicts(), get().refreshSyncStatus()]);
  },

  loadIntegrationConfig: async () => {
    set({ configState: get().configState === "loaded" ? "loaded" : "loading" });
    try {
      const config = await getIntegrationConfig();
      set({
        echoIntegrationConfig: config,
        configState: "loaded",
        isIntegrationEnabled: config ? config.enabled !== false : false,
      });
    } catch {
      set({ configState: "error" });
    }
  },

  refreshSyncStatus: async () => {
    try {
      const status = await getSyncStatus();
      set({ syncStatus: status, syncStatusError: null, isIntegrationEnabled: status.enabled });
    } catch (error) {
      set({ syncStatusError: error instanceof Error ? error.message : "Status unavailable" });
    }
  },

  loadConflicts: async () => {
    set({ conflictsState: get().conflictsState === "loaded" ? "loaded" : "loading" });
    try {
      const [open, resolved] = await Promise.all([getConflicts("open"), getConflicts("resolved")]);
      set({ pendingConflicts: open, resolvedConflicts: resolved, conflictsState: "loaded" });
    } catch {
      set({ conflictsState: "error" });
    }
  },

  loadEchoCrmEvents: async (q) => {
    const query = q ?? get().echoEventsQuery;
    const id = ++echoEventsRequest;
    set({ echoEventsQuery: query, echoEventsState: get().echoEventsState === "loaded" ? "loaded" : "loading" });
    try {
      const events = await getEchoEvents(query);
      if (id === echoEventsRequest) set({ echoCrmEvents: events, echoEventsState: "loaded" });
    } catch {
      if (id === echoEventsRequest) set({ echoEventsState: "error" });
    }
  },
}));
