import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signWebhook } from "@maestro/shared/webhook-signature";
import { settle, startSyncKit, waitFor, weddingEvent, WEBHOOK_SECRET, type SyncKit } from "../testing/sync-test-kit.ts";
import { testDbKind } from "../testing/test-database.ts";

// PostgreSQL: a merge locks the linked calendar event and reads it in one statement.
// What it reads must be the row as a writer holding the lock left it on commit — not
// the row as it was when the merge started waiting, which would make Maestro's edit
// look unchanged and let Echo's value overwrite it without a conflict.
describe.runIf(testDbKind === "postgres")("a merge waiting for a calendar event's row lock", () => {
  let kit: SyncKit;
  beforeAll(async () => {
    kit = await startSyncKit({ policy: "manual" });
  });
  afterAll(async () => kit.stop());

  it("merges against the row the lock holder committed", async () => {
    const created = (await kit.echo("POST", "/v1/events", { ...weddingEvent, eventName: "Harbor Gala" })).body;
    const calendarId = await waitFor(
      "the event on Maestro's calendar",
      async () => (await kit.admin("GET", `/api/calendar/events?q=${created.id}`)).body.data[0]?.id as string,
    );
    await settle(kit);
    // Echo's deliveries are the test's own from now on.
    await waitFor("Echo's deliveries", async () => (await kit.echo("GET", "/_sandbox/queue")).body.pending === 0);
    await kit.echo("POST", "/_sandbox/faults", { dropRate: 1 });
    const renamed = (await kit.echo("PATCH", `/v1/events/${created.id}`, { eventName: "Harbor Gala (Echo)" })).body;

    const { database } = kit.maestro.maestro;
    await database.db.transaction().execute(async (editor) => {
      const { rows: me } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(editor);
      // Someone in Maestro renames the event and has not committed yet...
      await sql`select id from calendar_events where id = ${calendarId} for update`.execute(editor);
      await sql`update calendar_events set title = 'Harbor Gala (Maestro)' where id = ${calendarId}`.execute(editor);
      // ...when Echo's rename is delivered: its merge waits for the row.
      const id = `msg_renamed_${created.id}`;
      const body = JSON.stringify({
        id,
        type: "event.updated",
        createdAt: new Date().toISOString(),
        data: { event: renamed, changedFields: ["eventName"] },
      });
      const res = await fetch(`${kit.maestro.url}/api/echo-integration/webhooks/echo-crm?org=${kit.maestro.orgId}`, {
        method: "POST",
        headers: { ...signWebhook(WEBHOOK_SECRET, id, Date.now() / 1000, body), "content-type": "application/json" },
        body,
      });
      expect(res.status).toBe(200);
      // Blocked by this transaction, in the statement that locks the linked event (other
      // test files share the database and wait for calendar rows of their own).
      await waitFor("the merge waiting for the calendar event's lock", async () => {
        const { rows } = await sql<{ n: number }>`
          select count(*)::int as n from pg_stat_activity
          where ${me[0]!.pid}::int = any(pg_blocking_pids(pid)) and query ilike '%sync_links%'`.execute(database.db);
        return rows[0]!.n > 0 || undefined;
      });
    });
    await settle(kit);
    await kit.echo("POST", "/_sandbox/faults", {});

    // Both sides renamed it: under the manual policy, a conflict, and Maestro's name kept meanwhile.
    const event = (await kit.admin("GET", `/api/calendar/events/${calendarId}`)).body;
    expect(event.title).toBe("Harbor Gala (Maestro)");
    const conflicts = (await kit.admin("GET", "/api/echo-integration/conflicts")).body.data.filter(
      (c: any) => c.echoEventId === created.id,
    );
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0].fields).toEqual([
      expect.objectContaining({
        field: "eventName",
        echoValue: "Harbor Gala (Echo)",
        maestroValue: "Harbor Gala (Maestro)",
      }),
    ]);
  });
});
