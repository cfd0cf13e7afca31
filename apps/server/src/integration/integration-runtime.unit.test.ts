import { describe, expect, it } from "vitest";
import type { SecretBox } from "../crypto/secret-box.ts";
import type { IntegrationConfigsTable } from "../db/schema.ts";
import type { Metrics } from "../observability/metrics.ts";
import type { IntegrationConfigRepository } from "./integration-config.repository.ts";
import { CONFIG_REVALIDATE_MS, IntegrationRuntime } from "./integration-runtime.ts";

// A configuration store without any integration, counting its lookups.
function emptyConfigs() {
  const lookups: string[] = [];
  const configs = {
    get: async (orgId: string) => {
      lookups.push(orgId);
      return undefined;
    },
  } as unknown as IntegrationConfigRepository;
  return { configs, lookups };
}

const runtimeOver = (configs: IntegrationConfigRepository) =>
  new IntegrationRuntime(
    configs,
    () => {
      throw new Error("no secret is decrypted for an organization without an integration");
    },
    [],
    {} as Metrics,
  );

describe("IntegrationRuntime: organizations without an integration", () => {
  it("remembers a recent absent organization instead of looking it up again", async () => {
    const { configs, lookups } = emptyConfigs();
    const runtime = runtimeOver(configs);
    expect(await runtime.get("org_absent")).toBeUndefined();
    expect(await runtime.get("org_absent")).toBeUndefined();
    expect(lookups).toEqual(["org_absent"]);
  });

  it("remembers only so many: ids from anybody's ?org= cannot grow the memory without bound", async () => {
    const { configs, lookups } = emptyConfigs();
    const runtime = runtimeOver(configs);
    await runtime.get("org_first");
    for (let i = 0; i < 5000; i++) await runtime.get(`org_flood_${i}`);
    // The first was forgotten long ago: asked again, it is looked up again.
    await runtime.get("org_first");
    expect(lookups.filter((id) => id === "org_first")).toHaveLength(2);
    // The most recent ones are still remembered.
    const before = lookups.length;
    await runtime.get("org_flood_4999");
    expect(lookups).toHaveLength(before);
  });

  it("forgets an absent organization when its configuration changes", async () => {
    const { configs, lookups } = emptyConfigs();
    const runtime = runtimeOver(configs);
    await runtime.get("org_new");
    runtime.invalidate("org_new");
    await runtime.get("org_new");
    expect(lookups).toEqual(["org_new", "org_new"]);
  });
});

// One organization's stored configuration, as another instance may change it.
function storedConfig(row: Partial<IntegrationConfigsTable> | undefined) {
  const state = { row: row && ({ ...baseRow, ...row } as IntegrationConfigsTable), lookups: 0 };
  const configs = {
    get: async () => {
      state.lookups++;
      return state.row && { ...state.row };
    },
  } as unknown as IntegrationConfigRepository;
  return { configs, state };
}

const baseRow: IntegrationConfigsTable = {
  orgId: "org_a",
  echoApiUrl: "http://127.0.0.1:4100/v1",
  echoApiKeyEnc: "enc:echo-key",
  maestroApiUrl: "http://127.0.0.1:3000",
  maestroApiKeyEnc: "enc:maestro-key",
  webhookSecretEnc: "enc:secret-1",
  previousWebhookSecretEnc: null,
  syncDirection: "bidirectional",
  autoSync: 1,
  syncInterval: 15,
  conflictResolution: "newest_wins",
  enabled: 1,
  echoEndpointId: null,
  syncCursor: null,
  lastSyncAt: null,
  nextSyncAt: null,
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
};

describe("IntegrationRuntime: changes made by another instance", () => {
  const clock = { now: 1_000_000 };
  const runtimeAt = (configs: IntegrationConfigRepository) =>
    new IntegrationRuntime(
      configs,
      () => ({ decrypt: (value: string) => value.replace(/^enc:/, "") }) as unknown as SecretBox,
      [],
      {} as Metrics,
      5000,
      () => clock.now,
    );

  it("sees an integration disabled elsewhere once the revalidation period has passed, keeping its Echo client", async () => {
    const { configs, state } = storedConfig({});
    const runtime = runtimeAt(configs);
    const first = await runtime.get("org_a");
    expect(first?.enabled).toBe(true);

    state.row!.enabled = 0;
    state.row!.conflictResolution = "manual";
    clock.now += CONFIG_REVALIDATE_MS - 1;
    expect((await runtime.get("org_a"))?.enabled).toBe(true);
    expect(state.lookups).toBe(1);

    clock.now += 1;
    const later = await runtime.get("org_a");
    expect(later).toMatchObject({ enabled: false, policy: "manual" });
    // Same Echo connection: the same client, its circuit breaker's state with it.
    expect(later?.client).toBe(first?.client);
    expect(state.lookups).toBe(2);
    await runtime.close();
  });

  it("verifies with a webhook secret rotated elsewhere, with a new client for it", async () => {
    const { configs, state } = storedConfig({});
    const runtime = runtimeAt(configs);
    const first = await runtime.get("org_a");
    expect(first?.webhookSecrets).toEqual(["secret-1"]);

    state.row!.webhookSecretEnc = "enc:secret-2";
    state.row!.previousWebhookSecretEnc = "enc:secret-1";
    clock.now += CONFIG_REVALIDATE_MS;
    const rotated = await runtime.get("org_a");
    expect(rotated?.webhookSecrets).toEqual(["secret-2", "secret-1"]);
    expect(rotated?.client).not.toBe(first?.client);
    // The health the scheduler measured belongs to the organization, not to the entry.
    expect(rotated?.health).toBe(first?.health);
    await runtime.close();
  });

  it("finds an organization initialized elsewhere, and forgets one removed elsewhere", async () => {
    const { configs, state } = storedConfig(undefined);
    const runtime = runtimeAt(configs);
    expect(await runtime.get("org_a")).toBeUndefined();

    state.row = { ...baseRow };
    expect(await runtime.get("org_a")).toBeUndefined();
    clock.now += CONFIG_REVALIDATE_MS;
    expect((await runtime.get("org_a"))?.enabled).toBe(true);

    state.row = undefined;
    clock.now += CONFIG_REVALIDATE_MS;
    expect(await runtime.get("org_a")).toBeUndefined();
    await runtime.close();
  });

  it("does not cache what it read before an invalidation", async () => {
    const { state } = storedConfig({});
    let release: () => void = () => undefined;
    const slow = {
      get: async () => {
        const row = { ...state.row! };
        await new Promise<void>((resolve) => (release = resolve));
        return row;
      },
    } as unknown as IntegrationConfigRepository;
    const runtime = runtimeAt(slow);
    const reading = runtime.get("org_a");
    // Changed and invalidated (as the instance making the change does) while the read is under way.
    state.row!.enabled = 0;
    runtime.invalidate("org_a");
    release();
    await new Promise((resolve) => setImmediate(resolve));
    release();
    expect((await reading)?.enabled).toBe(false);
    await runtime.close();
  });
});
