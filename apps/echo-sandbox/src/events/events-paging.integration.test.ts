import { echoEventPageSchema, type EchoCRMEvent } from "@maestro/shared/echo-event.schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleEvent, startTestSandbox, type TestSandbox } from "../testing/sandbox-test-kit.ts";

// updatedSince + cursor paging while 1,000 events are created and updated concurrently.

let t: TestSandbox;
beforeAll(async () => {
  t = await startTestSandbox();
});
afterAll(async () => {
  await t.close();
});

type Pass = { startedAtMs: number; events: EchoCRMEvent[] };

async function listPass(updatedSince: string | undefined, limit: number): Promise<Pass> {
  const startedAtMs = Date.now();
  const events: EchoCRMEvent[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ limit: String(limit) });
    if (cursor) query.set("cursor", cursor);
    else if (updatedSince) query.set("updatedSince", updatedSince);
    const response = await t.api("GET", `/v1/events?${query}`);
    expect(response.status).toBe(200);
    const page = echoEventPageSchema.parse(response.body);
    events.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor);
  return { startedAtMs, events };
}

async function runPool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await work(item);
      }
    }),
  );
}

describe("paging during concurrent writes", () => {
  it("never skips or repeats an event within a pass, and follow-up updatedSince passes end at every event's latest version", async () => {
    const total = 1000;
    const latest = new Map<string, EchoCRMEvent>();
    // Every acknowledged write, with the client time its answer arrived.
    const acks: { id: string; version: number; updatedAt: string; atMs: number }[] = [];
    const acknowledge = (event: EchoCRMEvent) => {
      latest.set(event.id, event);
      acks.push({ id: event.id, version: event.version, updatedAt: event.updatedAt, atMs: Date.now() });
    };
    let writing = true;

    // Writers create 1,000 events; every creation is followed by an update of a
    // random event created earlier, so events already read by a running pass change under it.
    const ids: string[] = [];
    const writer = (async () => {
      await runPool(
        Array.from({ length: total }, (_, i) => i),
        16,
        async (i) => {
          const created = await t.api("POST", "/v1/events", { body: sampleEvent({ eventName: `Paging event ${i}` }) });
          expect(created.status).toBe(201);
          const event = created.body as EchoCRMEvent;
          acknowledge(event);
          ids.push(event.id);
          const target = ids[(i * 7919) % ids.length] as string;
          const patched = await t.api("PATCH", `/v1/events/${target}`, {
            body: { guestCount: { guaranteed: 100 + i } },
          });
          expect(patched.status).toBe(200);
          acknowledge(patched.body as EchoCRMEvent);
        },
      );
      writing = false;
    })();

    const seenVersion = new Map<string, number>();
    let updatedSince: string | undefined;
    let passes = 0;
    const record = (pass: Pass, since: string | undefined) => {
      passes++;
      const versions = new Map(pass.events.map((e) => [e.id, e.version]));
      expect(versions.size).toBe(pass.events.length); // no repeats within one pass
      // A write acknowledged before the pass began (at or after updatedSince) must
      // be in the pass, at that version or newer: no skips.
      for (const ack of acks) {
        if (ack.atMs >= pass.startedAtMs || (since !== undefined && ack.updatedAt < since)) continue;
        expect(versions.get(ack.id) ?? 0, `pass ${passes} skipped ${ack.id} v${ack.version}`).toBeGreaterThanOrEqual(
          ack.version,
        );
      }
      for (const event of pass.events) {
        seenVersion.set(event.id, Math.max(seenVersion.get(event.id) ?? 0, event.version));
        if (!updatedSince || event.updatedAt > updatedSince) updatedSince = event.updatedAt;
      }
    };

    // The first pass reads everything (once a few hundred writes are in); later
    // passes only what changed since.
    while (latest.size < 200) await new Promise((resolve) => setTimeout(resolve, 5));
    const firstPass = await listPass(undefined, 50);
    record(firstPass, undefined);
    while (writing) {
      // Alternate full passes with updatedSince passes.
      const since = passes % 2 === 0 ? updatedSince : undefined;
      const pass = await listPass(since, 50);
      record(pass, since);
      for (const event of pass.events) expect(event.updatedAt >= (since ?? "")).toBe(true);
    }
    await writer;
    const followUpSince = updatedSince;
    record(await listPass(followUpSince, 50), followUpSince); // the follow-up pass after the writes

    expect(passes).toBeGreaterThan(1);
    expect(latest.size).toBe(total);
    expect(seenVersion.size).toBe(total);
    for (const [id, event] of latest)
      expect({ id, version: seenVersion.get(id) }).toEqual({ id, version: event.version });

    // A complete pass at rest sees every event exactly once, at its latest version.
    const atRest = await listPass(undefined, 200);
    expect(atRest.events).toHaveLength(total);
    for (const event of atRest.events) expect(event).toEqual(latest.get(event.id));
  });
});
