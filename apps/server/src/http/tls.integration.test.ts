import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Agent, request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestMaestro, TEST_PASSWORD, type TestMaestro } from "../testing/test-server.ts";

describe("HTTPS served by Maestro itself", () => {
  let dir: string;
  let m: TestMaestro;
  const insecure = new Agent({ connect: { rejectUnauthorized: false } });
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "maestro-tls-"));
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-keyout",
        path.join(dir, "key.pem"),
        "-out",
        path.join(dir, "cert.pem"),
      ],
      { stdio: "ignore" },
    );
    m = await startTestMaestro({ tls: { certFile: path.join(dir, "cert.pem"), keyFile: path.join(dir, "key.pem") } });
  });
  afterAll(async () => {
    await m.stop();
    await insecure.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers over TLS and marks the session cookie Secure", async () => {
    expect(m.url.startsWith("https://")).toBe(true);
    const health = await request(`${m.url}/healthz`, { dispatcher: insecure });
    expect(health.statusCode).toBe(200);
    expect(await health.body.json()).toEqual({ status: "ok" });
    const login = await request(`${m.url}/api/auth/login`, {
      method: "POST",
      dispatcher: insecure,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "ops@demo.test", password: TEST_PASSWORD }),
    });
    expect(login.statusCode).toBe(200);
    await login.body.dump();
    expect(String(login.headers["set-cookie"])).toMatch(/;\s*Secure/i);
    expect(String(login.headers["strict-transport-security"])).toMatch(/max-age=/);
  });
});
