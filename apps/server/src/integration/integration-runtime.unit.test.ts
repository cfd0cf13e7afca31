import { describe, expect, it } from "vitest";
import type { Metrics } from "../observability/metrics.ts";
import type { IntegrationConfigRepository } from "./integration-config.repository.ts";
import { IntegrationRuntime } from "./integration-runtime.ts";

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
