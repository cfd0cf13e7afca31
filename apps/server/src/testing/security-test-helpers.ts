import path from "node:path";
import SQLite from "better-sqlite3";
import pg from "pg";
import { signWebhook } from "@maestro/shared/webhook-signature";
import { settle, waitFor, weddingEvent, WEBHOOK_SECRET, type SyncKit } from "./sync-test-kit.ts";
import type { TestMaestro } from "./test-server.ts";

// Helpers shared by the security test battery (issue 5 acceptance).

export const ECHO_WEBHOOK_PATH = "/api/echo-integration/webhooks/echo-crm";

// A read-only SQL query against a test Maestro's own database, bypassing the app:
// SQLite file in DATA_DIR, or the server's PostgreSQL schema. `?` placeholders.
export async function rawQuery(
  m: TestMaestro,
  query: string,
  params: unknown[] = [],
): Promise<Record<string, unknown>[]> {
  if (m.db.databaseUrl && m.db.schema) {
    const client = new pg.Client({ connectionString: m.db.databaseUrl, options: `-c search_path=${m.db.schema}` });
    await client.connect();
    try {
      let n = 0;
      return (
        await client.query(
          query.replace(/\?/g, () => `$${++n}`),
          params,
        )
      ).rows as Record<string, unknown>[];
    } finally {
      await client.end();
    }
  }
  const db = new SQLite(path.join(m.db.dataDir, "maestro.sqlite"), { readonly: true, fileMustExist: true });
  try {
    return db.prepare(query).all(...params) as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

// POSTs raw bytes to Maestro's Echo webhook receiver with the given headers.
export async function postWebhook(kit: SyncKit, body: string | Buffer, headers: Record<string, string>) {
  const res = await fetch(kit.maestro.url + ECHO_WEBHOOK_PATH, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  const text = await res.text();
  let json: any = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: res.status, headers: res.headers, body: json };
}

// A correctly signed delivery (CONTRACT §6) of `payload`, now unless `timestampSeconds` says otherwise.
export function signedDelivery(
  payload: unknown,
  webhookId: string,
  timestampSeconds = Date.now() / 1000,
  secret = WEBHOOK_SECRET,
) {
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  return { body, headers: signWebhook(secret, webhookId, timestampSeconds, body) };
}

export async function calendarFor(kit: SyncKit, echoId: string) {
  const res = await kit.admin("GET", `/api/calendar/events?q=${encodeURIComponent(echoId)}`);
  return (res.body?.data ?? []).find((e: any) => e.echoEventId === echoId);
}

// Creates an Echo event whose contract is signed and waits until Maestro has its BEO.
export async function createSignedEchoEvent(kit: SyncKit, overrides: Record<string, unknown> = {}) {
  const created = await kit.echo("POST", "/v1/events", { ...weddingEvent, contractStatus: "signed", ...overrides });
  if (created.status !== 201) throw new Error(`Echo refused the event: ${JSON.stringify(created.body)}`);
  const echoId: string = created.body.id;
  const cal = await waitFor(`BEO for ${echoId}`, async () => {
    const c = await calendarFor(kit, echoId);
    return c?.beoId ? c : undefined;
  });
  await settle(kit);
  return { echoId, beoId: cal.beoId as string, calendarEventId: cal.id as string, echoEvent: created.body };
}

// An open manual DataConflict (the kit must run with policy "manual"): Echo's
// webhooks are dropped while the guaranteed count changes in Echo, then Maestro
// changes it too; Maestro's push meets a 412, re-reads Echo and finds both changed.
export async function makeManualConflict(kit: SyncKit, eventName: string, overrides: Record<string, unknown> = {}) {
  const { echoId, beoId } = await createSignedEchoEvent(kit, { eventName, ...overrides });
  const drop = await kit.echo("POST", "/_sandbox/faults", { dropRate: 1 });
  if (drop.status >= 300) throw new Error(`cannot set sandbox faults: ${JSON.stringify(drop.body)}`);
  try {
    const echoEdit = await kit.echo("PATCH", `/v1/events/${echoId}`, { guestCount: { guaranteed: 171 } });
    if (echoEdit.status !== 200) throw new Error(`Echo edit failed: ${JSON.stringify(echoEdit.body)}`);
    const maestroEdit = await kit.admin("PATCH", `/api/beos/${beoId}`, { event: { guaranteed: 181 } });
    if (maestroEdit.status !== 200) throw new Error(`BEO edit failed: ${JSON.stringify(maestroEdit.body)}`);
    const conflict = await waitFor(`conflict on ${echoId}`, async () => {
      const res = await kit.admin("GET", "/api/echo-integration/conflicts?status=open");
      return (res.body?.data ?? []).find((c: any) => c.echoEventId === echoId);
    });
    await settle(kit);
    return { echoId, beoId, conflictId: conflict.id as string };
  } finally {
    await kit.echo("POST", "/_sandbox/faults", {});
  }
}

// Every string in `haystack` that contains one of `needles` (labelled), for readable failures.
export function findLeaks(haystack: string, needles: Record<string, string>): string[] {
  return Object.entries(needles)
    .filter(([, value]) => value.length > 0 && haystack.includes(value))
    .map(([label]) => label);
}
