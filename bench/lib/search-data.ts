// 100,000 realistic calendar events written straight into a fresh Maestro store
// (before Maestro starts, so the bulk load is not counted in its memory). Echo-
// sourced events are made from the sandbox's own generator and Maestro's field
// mapping; a share are local (Maestro-only) events. Dates spread over four years.
import type { EchoCRMEvent } from "@maestro/shared/echo-event.schema";
import { newId } from "@maestro/shared/ids";
import { sql } from "kysely";
import { generateSeedEvents } from "../../apps/echo-sandbox/src/sandbox/seed-data.ts";
import { venues } from "../../apps/echo-sandbox/src/sandbox/seed-catalog.ts";
import { openDatabase } from "../../apps/server/src/db/database.ts";
import type { CalendarEventsTable } from "../../apps/server/src/db/schema.ts";
import { calendarFieldsFromEcho } from "../../apps/server/src/integration/field-mapping.ts";
import { OrganizationRepository } from "../../apps/server/src/org/organization.repository.ts";
import type { StoreLocation } from "./bench-env.ts";

const DAY_MS = 86_400_000;

export type SearchCorpus = { echoIds: string[]; clientNames: string[]; insertS: number };

// A small deterministic PRNG (mulberry32), so every run searches the same data.
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function loadSearchCorpus(store: StoreLocation, count: number, seed = 42): Promise<SearchCorpus> {
  const started = performance.now();
  const handle = await openDatabase({
    dataDir: store.dataDir,
    ...(store.databaseUrl ? { databaseUrl: store.databaseUrl } : {}),
  });
  try {
    const org = await new OrganizationRepository(handle.db).ensure("demo", "Bench Venue");
    const now = new Date().toISOString();
    await handle.db
      .insertInto("rooms")
      .values(
        venues
          .flatMap((v) => v.rooms)
          .map((r, i, all) => ({
            id: newId("room"),
            orgId: org.id,
            name: r.name,
            capacity: r.capacity,
            // One pair of combinable rooms, as venues have.
            combinesWith: JSON.stringify(i === 0 ? [all[1]!.name] : i === 1 ? [all[0]!.name] : []),
            createdAt: now,
          })),
      )
      .execute();
    const random = prng(seed);
    const today = Date.UTC(2026, 0, 1);
    const echoIds: string[] = [];
    const clientNames: string[] = [];
    const chunk = 500;
    for (let offset = 0; offset < count; offset += chunk) {
      const inputs = generateSeedEvents(Math.min(chunk, count - offset), seed + offset, new Date(today));
      const rows: CalendarEventsTable[] = inputs.map((input, i) => {
        const date = new Date(today + Math.floor(random() * 4 * 365 - 2 * 365) * DAY_MS).toISOString().slice(0, 10);
        const local = random() < 0.3;
        const echo: EchoCRMEvent = {
          ...input,
          id: `evt_${(offset + i).toString(36).padStart(6, "0")}${Math.floor(random() * 1e9).toString(36)}`,
          eventDate: date,
          version: 1,
          createdAt: now,
          updatedAt: now,
        };
        const fields = calendarFieldsFromEcho(echo);
        if (!local) echoIds.push(echo.id);
        if (i === 0) clientNames.push(echo.clientName);
        return {
          id: newId("cal"),
          orgId: org.id,
          ...fields,
          ...(local ? { source: "maestro", echoEventId: null, contractStatus: null } : {}),
          beoId: null,
          createdAt: now,
          updatedAt: now,
        };
      });
      await handle.db.transaction().execute((trx) => trx.insertInto("calendarEvents").values(rows).execute());
    }
    // Fresh statistics, as autovacuum would have after such a load.
    if (handle.dialect === "postgres") await sql`analyze calendar_events`.execute(handle.db);
    return { echoIds, clientNames, insertS: (performance.now() - started) / 1000 };
  } finally {
    await handle.close();
  }
}
