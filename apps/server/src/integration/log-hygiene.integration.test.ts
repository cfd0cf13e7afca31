import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webhookSecretBytes } from "@maestro/shared/webhook-signature";
import {
  SANDBOX_KEY,
  settle,
  startSyncKit,
  waitFor,
  weddingEvent,
  WEBHOOK_SECRET,
  type SyncKit,
} from "../testing/sync-test-kit.ts";
import {
  calendarFor,
  findLeaks,
  makeManualConflict,
  postWebhook,
  signedDelivery,
} from "../testing/security-test-helpers.ts";
import { apiClient, TEST_PASSWORD } from "../testing/test-server.ts";

// Issue 5 acceptance — logs captured during a full sync scenario contain no API
// key, secret, client e-mail or phone number.

const KEK = "log-hygiene-kek-0123456789abcdef";
const WRONG_ECHO_KEY = "log-hygiene-wrong-echo-key-7f3a9c";
const ROTATED_SECRET = "whsec_" + Buffer.from("log-hygiene-rotated-secret-32byt").toString("base64");

// Distinctive personal data, per event.
const people = [
  {
    clientEmail: "amara.quist.7731@example.org",
    clientPhone: "+44 20 7946 0958",
    salesRepEmail: "rep.delacroix.4410@example.net",
  },
  {
    clientEmail: "j.okonkwo-birch.2290@example.com",
    clientPhone: "(617) 555-0143",
    salesRepEmail: "rep.vasquez.8812@example.net",
  },
  {
    clientEmail: "lin.haraldsen.5561@example.org",
    clientPhone: "+49 30 901820 77",
    salesRepEmail: "rep.moreau.3307@example.net",
  },
];
const updatedPerson = { clientEmail: "amara.quist.updated.9902@example.org", clientPhone: "+44 20 7946 0999" };
const conflictPerson = {
  clientEmail: "conflict.client.6650@example.org",
  clientPhone: "+1 212 555 0187",
  salesRepEmail: "rep.conflict.1234@example.net",
};

describe("log hygiene over a full sync scenario", () => {
  let kit: SyncKit;

  beforeAll(async () => {
    kit = await startSyncKit({ policy: "manual", maestro: { secretKey: KEK } });
  });
  afterAll(async () => kit?.stop());

  it("logs no API key, webhook secret, client e-mail or phone number", async () => {
    const m = kit.maestro;
    // Echo creates events with personal data; one is updated (new e-mail and phone), one signed.
    const ids: string[] = [];
    for (const [i, person] of people.entries()) {
      const created = await kit.echo("POST", "/v1/events", {
        ...weddingEvent,
        eventName: `Log Hygiene Event ${i}`,
        ...person,
      });
      expect(created.status).toBe(201);
      ids.push(created.body.id);
    }
    for (const id of ids) await waitFor(`import of ${id}`, () => calendarFor(kit, id));
    expect(
      (await kit.echo("PATCH", `/v1/events/${ids[0]}`, { ...updatedPerson, guestCount: { guaranteed: 175 } })).status,
    ).toBe(200);
    await waitFor("update", async () => (await calendarFor(kit, ids[0]!))?.guestCount === 175);
    expect((await kit.echo("POST", `/v1/events/${ids[1]}/contract/sign`)).status).toBe(200);
    const signed = await waitFor("BEO", async () => (await calendarFor(kit, ids[1]!))?.beoId);
    await settle(kit);

    // A BEO edit flows to Echo; the chef approves.
    expect((await kit.admin("PATCH", `/api/beos/${signed}`, { event: { guaranteed: 160 } })).status).toBe(200);
    expect((await apiClient(m.url, m.keys.chef)("POST", `/api/beos/${signed}/approve`)).status).toBe(200);
    await settle(kit);
    await waitFor(
      "Echo has the edit",
      async () => (await kit.echo("GET", `/v1/events/${ids[1]}`)).body.guestCount.guaranteed === 160,
    );

    // A conflict, resolved by ops.
    const conflict = await makeManualConflict(kit, "Log Hygiene Conflict", conflictPerson);
    expect(
      (
        await apiClient(m.url, m.keys.ops)("POST", `/api/echo-integration/conflicts/${conflict.conflictId}/resolve`, {
          resolution: "maestro",
        })
      ).status,
    ).toBe(200);
    await settle(kit);

    // Echo answers 5xx for a while: the push is retried (and the errors logged).
    await kit.echo("POST", "/_sandbox/faults", { errorRate: 1 });
    const logsBefore = m.logLines.length;
    expect((await kit.admin("PATCH", `/api/beos/${signed}`, { event: { guaranteed: 161 } })).status).toBe(200);
    await waitFor("a retried push", async () => m.logLines.slice(logsBefore).some((l) => /retried/.test(l)));
    await kit.echo("POST", "/_sandbox/faults", {});
    await settle(kit);

    // Deliveries that are rejected: bad signature (with personal data in the body), and a verified invalid payload.
    const leakyBody = {
      id: "evt_bad",
      type: "event.updated",
      createdAt: new Date().toISOString(),
      data: { event: { id: "evt_bad", clientEmail: people[2]!.clientEmail, clientPhone: people[2]!.clientPhone } },
    };
    const bad = signedDelivery(leakyBody, `msg_loghyg_bad_${Date.now()}`);
    expect((await postWebhook(kit, bad.body, { ...bad.headers, "webhook-signature": "v1,AAAA" })).status).toBe(401);
    const invalid = signedDelivery(leakyBody, `msg_loghyg_invalid_${Date.now()}`);
    expect((await postWebhook(kit, invalid.body, invalid.headers)).status).toBe(400);

    // Admin work: a refused reconfiguration with a wrong Echo key, a webhook-secret rotation, a login, API keys.
    const refused = await kit.admin("PATCH", "/api/echo-integration/config", { echoCrmApiKey: WRONG_ECHO_KEY });
    expect(refused.status).toBe(400);
    expect((await kit.admin("PATCH", "/api/echo-integration/config", { webhookSecret: ROTATED_SECRET })).status).toBe(
      200,
    );
    const login = await fetch(`${m.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "admin@demo.test", password: TEST_PASSWORD }),
    });
    expect(login.status).toBe(200);
    const badLogin = await fetch(`${m.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "ops@demo.test", password: "not-" + TEST_PASSWORD }),
    });
    expect(badLogin.status).toBe(401);
    const newKey = await kit.admin("POST", "/api/api-keys", { name: "log hygiene", role: "viewer" });
    expect(newKey.status).toBeLessThan(300);
    expect(
      (await apiClient(m.url, "mk_not_a_real_key_but_secret_looking_123")("GET", "/api/echo-integration/status"))
        .status,
    ).toBe(401);
    // An Echo change after the rotation still arrives (the sandbox signs with the new secret).
    expect((await kit.echo("PATCH", `/v1/events/${ids[2]}`, { guestCount: { guaranteed: 99 } })).status).toBe(200);
    await waitFor("post-rotation update", async () => (await calendarFor(kit, ids[2]!))?.guestCount === 99);
    await settle(kit);

    const logs = m.logLines.join("\n");
    // The capture works and is about this scenario: deliveries and operations carry their ids.
    expect(m.logLines.length).toBeGreaterThan(20);
    expect(logs).toMatch(/"webhookId":"[^"]+"/);
    expect(logs).toContain("webhook rejected");
    expect(logs).toContain(ids[0]);

    const forbidden: Record<string, string> = {
      echoApiKey: SANDBOX_KEY,
      wrongEchoApiKey: WRONG_ECHO_KEY,
      webhookSecret: WEBHOOK_SECRET,
      webhookSecretBase64: WEBHOOK_SECRET.slice("whsec_".length),
      webhookSecretKeyBytes: webhookSecretBytes(WEBHOOK_SECRET).toString("utf8"),
      rotatedSecret: ROTATED_SECRET,
      rotatedSecretBase64: ROTATED_SECRET.slice("whsec_".length),
      keyEncryptionKey: KEK,
      password: TEST_PASSWORD,
      newApiKey: String(newKey.body.key),
      bogusApiKey: "mk_not_a_real_key_but_secret_looking_123",
      ...Object.fromEntries(Object.entries(m.keys).map(([role, key]) => [`maestroApiKey:${role}`, key])),
      templateEmail: weddingEvent.clientEmail,
      templatePhone: weddingEvent.clientPhone,
      updatedEmail: updatedPerson.clientEmail,
      updatedPhone: updatedPerson.clientPhone,
      ...Object.fromEntries(Object.entries(conflictPerson).map(([k, v]) => [`conflict:${k}`, v])),
      ...Object.fromEntries(people.flatMap((p, i) => Object.entries(p).map(([k, v]) => [`event${i}:${k}`, v]))),
    };
    // Phone numbers also without their formatting (digits only), e-mails in any case.
    for (const [label, value] of Object.entries(forbidden)) {
      if (/phone/i.test(label)) forbidden[`${label}:digits`] = value.replace(/\D/g, "");
    }
    const leaks = findLeaks(logs, forbidden).concat(
      findLeaks(
        logs.toLowerCase(),
        Object.fromEntries(
          Object.entries(forbidden)
            .filter(([l]) => /email/i.test(l))
            .map(([l, v]) => [`${l}:lowercase`, v.toLowerCase()]),
        ),
      ),
    );
    const offending = m.logLines.filter((line) => Object.values(forbidden).some((v) => line.includes(v))).slice(0, 5);
    expect(leaks, `leaked into logs; first lines: ${offending.join("\n")}`).toEqual([]);
  });
});
