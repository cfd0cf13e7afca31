import { describe, expect, it } from "vitest";
import { presentEvent, presentWebhookBody, skewIso } from "./clock-skew.ts";
import { createFaultState } from "./fault-state.ts";

describe("fault state", () => {
  it("stores faults and clears them with {}", () => {
    const faults = createFaultState();
    faults.set({ dropRate: 0.5, clockSkewMs: 60_000 });
    expect(faults.get()).toEqual({ dropRate: 0.5, clockSkewMs: 60_000 });
    expect(faults.skewMs()).toBe(60_000);
    faults.set({});
    expect(faults.get()).toEqual({});
    expect(faults.skewMs()).toBe(0);
  });

  it("rolls by the configured rate", () => {
    const faults = createFaultState(() => 0.3);
    expect(faults.roll(0.5)).toBe(true);
    expect(faults.roll(0.2)).toBe(false);
    expect(faults.roll(0)).toBe(false);
    expect(faults.roll(undefined)).toBe(false);
  });

  it("allows rateLimitPerSecond requests per one-second window", () => {
    const faults = createFaultState();
    faults.set({ rateLimitPerSecond: 2 });
    const t = 1_000_000;
    expect(faults.takeRateLimitToken(t).ok).toBe(true);
    expect(faults.takeRateLimitToken(t + 10).ok).toBe(true);
    expect(faults.takeRateLimitToken(t + 20)).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(faults.takeRateLimitToken(t + 1000).ok).toBe(true);
  });
});

describe("clock skew", () => {
  it("shifts reported timestamps and leaves the rest alone", () => {
    expect(skewIso("2030-01-01T00:00:00.000Z", 90_000)).toBe("2030-01-01T00:01:30.000Z");
    const event = { createdAt: "2030-01-01T00:00:00.000Z", updatedAt: "2030-01-01T00:00:01.000Z", room: "A" } as never;
    expect(presentEvent(event, -1000)).toMatchObject({
      createdAt: "2029-12-31T23:59:59.000Z",
      updatedAt: "2030-01-01T00:00:00.000Z",
      room: "A",
    });
    const body = JSON.stringify({ id: "msg_1", createdAt: "2030-01-01T00:00:00.000Z", data: { event } });
    expect(JSON.parse(presentWebhookBody(body, 1000))).toMatchObject({
      createdAt: "2030-01-01T00:00:01.000Z",
      data: { event: { updatedAt: "2030-01-01T00:00:02.000Z" } },
    });
    expect(presentWebhookBody(body, 0)).toBe(body);
  });
});
