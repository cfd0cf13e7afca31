import diagnostics from "node:diagnostics_channel";
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSyncKit, type SyncKit } from "../testing/sync-test-kit.ts";
import { apiClient, startTestMaestro, type TestMaestro } from "../testing/test-server.ts";

// Issue 5 acceptance — initialize with echoCrmApiUrl at 169.254.169.254, 10.0.0.1,
// localhost (not allowed) or a name that resolves to 127.0.0.1 → 400 with a clear
// reason, and no request leaves.

// A local HTTP server that records every connection and request it gets.
async function startTrap() {
  const seen: string[] = [];
  let connections = 0;
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    res.writeHead(404, { "content-type": "application/json" }).end('{"error":{"code":"not_found","message":"trap"}}');
  });
  server.on("connection", () => void connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    get connections() {
      return connections;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// Names in /etc/hosts that map to 127.0.0.1, besides "localhost" (e.g. the machine's own name).
function loopbackNamesFromHosts(): string[] {
  try {
    return readFileSync("/etc/hosts", "utf8")
      .split("\n")
      .map((line) => line.replace(/#.*/, "").trim().split(/\s+/))
      .filter((parts) => parts[0] === "127.0.0.1")
      .flatMap((parts) => parts.slice(1))
      .filter((name) => name && name !== "localhost" && /^[a-z0-9.-]+$/i.test(name));
  } catch {
    return [];
  }
}

// Every HTTP request undici (Maestro's outbound client, and fetch) creates in this process.
const outbound: string[] = [];
const onRequest = (message: unknown) => {
  const request = (message as { request?: { origin?: unknown; path?: string } }).request;
  outbound.push(`${String(request?.origin)}${request?.path ?? ""}`);
};

describe("SSRF guard on initialize", () => {
  let m: TestMaestro;
  let trap: Awaited<ReturnType<typeof startTrap>>;
  let allowedTrap: Awaited<ReturnType<typeof startTrap>>;
  let admin: ReturnType<typeof apiClient>;

  beforeAll(async () => {
    diagnostics.subscribe("undici:request:create", onRequest);
    trap = await startTrap();
    allowedTrap = await startTrap();
    // Only 127.0.0.1:<allowedTrap> is allowed; `trap` listens on a loopback port that is not.
    m = await startTestMaestro({
      secretKey: "test-secret-key-0123456789abcdef",
      allowedHosts: [`127.0.0.1:${allowedTrap.port}`],
    });
    admin = apiClient(m.url, m.adminKey);
  });
  afterAll(async () => {
    diagnostics.unsubscribe("undici:request:create", onRequest);
    await m?.stop();
    await trap?.close();
    await allowedTrap?.close();
  });

  const config = (echoCrmApiUrl: string) => ({
    organizationId: "demo",
    echoCrmApiUrl,
    echoCrmApiKey: "ssrf-test-echo-key",
    maestroApiUrl: m.url,
    maestroApiKey: m.keys.ops,
    webhookSecret: "whsec_" + Buffer.from("ssrf-test-webhook-secret-32bytes").toString("base64"),
    syncDirection: "bidirectional",
    autoSync: false,
    syncInterval: 15,
    conflictResolution: "newest_wins",
  });

  const refusedUrls = () => {
    const names = ["localhost", ...loopbackNamesFromHosts()];
    return [
      // Cloud metadata (link-local), as given and over https.
      { url: "http://169.254.169.254/v1", reason: /https|INTEGRATION_ALLOWED_HOSTS/ },
      { url: "https://169.254.169.254/v1", reason: /169\.254\.169\.254.*link-local|metadata/ },
      { url: "https://169.254.169.254/latest/meta-data", reason: /metadata/ },
      { url: "https://[::ffff:169.254.169.254]/v1", reason: /metadata|link-local/ },
      // Private network.
      { url: "http://10.0.0.1/v1", reason: /https|INTEGRATION_ALLOWED_HOSTS/ },
      { url: "https://10.0.0.1/v1", reason: /10\.0\.0\.1.*private/ },
      { url: "https://192.168.1.1/v1", reason: /private/ },
      { url: "https://172.16.0.1/v1", reason: /private/ },
      // Loopback on a port that is not allowed (the trap listens there).
      { url: `http://127.0.0.1:${trap.port}/v1`, reason: /https|INTEGRATION_ALLOWED_HOSTS/ },
      { url: `https://127.0.0.1:${trap.port}/v1`, reason: /127\.0\.0\.1.*loopback/ },
      { url: `https://[::1]:${trap.port}/v1`, reason: /loopback/ },
      { url: `https://2130706433:${trap.port}/v1`, reason: /loopback/ }, // 127.0.0.1 as a number
      { url: `https://0x7f.1:${trap.port}/v1`, reason: /loopback/ },
      { url: `https://0.0.0.0:${trap.port}/v1`, reason: /loopback|private/ },
      // Names that resolve to 127.0.0.1: refused after DNS resolution.
      ...names.flatMap((name) => [
        { url: `http://${name}:${trap.port}/v1`, reason: /https|INTEGRATION_ALLOWED_HOSTS/ },
        {
          url: `https://${name}:${trap.port}/v1`,
          reason: new RegExp(`${name.replace(/\./g, "\\.")} resolves to 127\\.0\\.0\\.1.*loopback`),
        },
        // The allowed port under another name is not allowed: the list names exact host:port pairs.
        { url: `http://${name}:${allowedTrap.port}/v1`, reason: /https|INTEGRATION_ALLOWED_HOSTS/ },
        { url: `https://${name}:${allowedTrap.port}/v1`, reason: /resolves to 127\.0\.0\.1/ },
      ]),
      // Not http(s) at all.
      { url: `file:///etc/passwd`, reason: /./ },
      { url: `gopher://127.0.0.1:${trap.port}/v1`, reason: /./ },
    ];
  };

  it("refuses loopback, private, link-local and metadata targets with 400 and a clear reason, and no request leaves", async () => {
    const cases = refusedUrls();
    for (const c of cases) {
      outbound.length = 0;
      const res = await admin("POST", "/api/echo-integration/initialize", config(c.url));
      expect(res.status, c.url).toBe(400);
      expect(res.body?.error?.code, c.url).toBe("invalid_input");
      // The field is named (in the message, or in details for a schema rejection)…
      expect(JSON.stringify(res.body.error), c.url).toContain("echoCrmApiUrl");
      if (c.url.startsWith("http")) {
        // …and the reason is given.
        expect(res.body.error.message, c.url).toMatch(/^echoCrmApiUrl refused: /);
        expect(res.body.error.message, c.url).toMatch(c.reason);
      }
      // Nothing left this process (besides the test's own calls to Maestro).
      expect(
        outbound.filter((o) => !o.startsWith(m.url)),
        c.url,
      ).toEqual([]);
    }
    expect(trap.connections).toBe(0);
    expect(trap.seen).toEqual([]);
    expect(allowedTrap.connections).toBe(0);
    // Nothing was stored or registered.
    expect((await admin("GET", "/api/echo-integration/config")).status).toBe(404);
    expect(
      (await admin("GET", "/api/echo-integration/audit-log")).body.data.filter((e: any) =>
        /integration/.test(e.action),
      ),
    ).toEqual([]);
  });

  it("does reach a loopback host:port listed in allowedHosts (control: the trap and the probe do see requests)", async () => {
    outbound.length = 0;
    const res = await admin(
      "POST",
      "/api/echo-integration/initialize",
      config(`http://127.0.0.1:${allowedTrap.port}/v1`),
    );
    // The trap is not an Echo API: a clear 400, after a real request.
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("echo_unreachable");
    expect(res.body.error.message).toMatch(/no Echo API v1/);
    expect(allowedTrap.connections).toBeGreaterThan(0);
    expect(allowedTrap.seen.some((r) => r.startsWith("GET /v1/events"))).toBe(true);
    expect(outbound.some((o) => o.startsWith(`http://127.0.0.1:${allowedTrap.port}`))).toBe(true);
    // The API key went only to the allowed host.
    expect(trap.connections).toBe(0);
  });
});

describe("SSRF guard on reconfiguration", () => {
  let kit: SyncKit;
  let trap: Awaited<ReturnType<typeof startTrap>>;
  beforeAll(async () => {
    trap = await startTrap();
    kit = await startSyncKit();
  });
  afterAll(async () => {
    await kit?.stop();
    await trap?.close();
  });

  it("refuses PATCH /config to a metadata, private or loopback URL and keeps the working configuration", async () => {
    const before = await kit.admin("GET", "/api/echo-integration/config");
    expect(before.status).toBe(200);
    for (const url of [
      "https://169.254.169.254/v1",
      "https://10.0.0.1/v1",
      `https://localhost:${trap.port}/v1`,
      `http://localhost:${trap.port}/v1`,
    ]) {
      const res = await kit.admin("PATCH", "/api/echo-integration/config", { echoCrmApiUrl: url });
      expect(res.status, url).toBe(400);
      expect(res.body.error.message, url).toMatch(/echoCrmApiUrl refused/);
    }
    expect(trap.connections).toBe(0);
    const after = await kit.admin("GET", "/api/echo-integration/config");
    expect(after.body.echoCrmApiUrl).toBe(before.body.echoCrmApiUrl);
    expect((await kit.admin("GET", "/api/echo-integration/status")).body.connection.echoCrm).toBe("healthy");
  });
});
