import { createHmac, randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { signWebhook, verifyWebhook, webhookSecretBytes, WEBHOOK_TOLERANCE_SECONDS } from "./webhook-signature.ts";

const NOW = 1_750_000_000;

const rawSecretArb = fc
  .string({ unit: "grapheme-ascii", minLength: 8, maxLength: 48 })
  .filter((s) => !s.startsWith("whsec_"));
const whsecArb = fc
  .uint8Array({ minLength: 24, maxLength: 64 })
  .map((b) => `whsec_${Buffer.from(b).toString("base64")}`);
const secretArb = fc.oneof(rawSecretArb, whsecArb);
const idArb = fc.string({ minLength: 1, maxLength: 200 }).filter((s) => s.length > 0);
const bodyArb = fc.uint8Array({ minLength: 1, maxLength: 512 }).map((b) => Buffer.from(b));

// HMAC pads a short key with zero bytes, so "k" and "k\0" are the same key:
// two secrets are "different" only if their padded keys differ.
const hmacKey = (secret: string) => {
  const k = webhookSecretBytes(secret);
  return k.length > 64 ? k.toString("hex") : k.toString("hex").replace(/(00)+$/, "");
};

describe("Standard Webhooks signatures", () => {
  it("matches the Standard Webhooks reference vector", () => {
    const h = signWebhook(
      "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
      "msg_p5jXN8AQM9LWM0D4loKWxJek",
      1614265330,
      '{"test": 2432232314}',
    );
    expect(h).toEqual({
      "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
      "webhook-timestamp": "1614265330",
      "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    });
  });

  it("verifies whatever it signed, anywhere within ±300 s", () => {
    fc.assert(
      fc.property(secretArb, idArb, bodyArb, fc.integer({ min: -300, max: 300 }), (secret, id, body, skew) => {
        const headers = signWebhook(secret, id, NOW, body);
        expect(verifyWebhook([secret], headers, body, NOW + skew)).toEqual({ ok: true, id, timestamp: NOW });
      }),
    );
  });

  it("accepts a timestamp 299 s away and refuses one 301 s away, both directions", () => {
    const body = Buffer.from('{"id":"x"}');
    const headers = signWebhook("s3cret-value", "msg_1", NOW, body);
    expect(verifyWebhook(["s3cret-value"], headers, body, NOW + 299).ok).toBe(true);
    expect(verifyWebhook(["s3cret-value"], headers, body, NOW - 299).ok).toBe(true);
    expect(verifyWebhook(["s3cret-value"], headers, body, NOW + 301)).toEqual({
      ok: false,
      reason: "timestamp_out_of_window",
    });
    expect(verifyWebhook(["s3cret-value"], headers, body, NOW - 301)).toEqual({
      ok: false,
      reason: "timestamp_out_of_window",
    });
  });

  it("refuses any timestamp more than the tolerance away, however well signed", () => {
    fc.assert(
      fc.property(
        secretArb,
        bodyArb,
        fc.integer({ min: 301, max: 10 ** 9 }),
        fc.boolean(),
        (secret, body, off, past) => {
          const headers = signWebhook(secret, "msg_1", NOW, body);
          const now = past ? NOW + off : NOW - off;
          expect(verifyWebhook([secret], headers, body, now)).toEqual({ ok: false, reason: "timestamp_out_of_window" });
        },
      ),
    );
    expect(WEBHOOK_TOLERANCE_SECONDS).toBe(300);
  });

  it("refuses a body with any single byte changed", () => {
    fc.assert(
      fc.property(secretArb, bodyArb, fc.nat(), fc.integer({ min: 1, max: 255 }), (secret, body, at, xor) => {
        const headers = signWebhook(secret, "msg_1", NOW, body);
        const tampered = Buffer.from(body);
        tampered[at % body.length]! ^= xor;
        expect(verifyWebhook([secret], headers, tampered, NOW)).toEqual({ ok: false, reason: "bad_signature" });
      }),
    );
  });

  it("refuses a body with a byte added or removed, and a changed id or timestamp", () => {
    const body = Buffer.from('{"type":"event.updated"}');
    const h = signWebhook("s3cret-value", "msg_1", NOW, body);
    const bad = { ok: false, reason: "bad_signature" };
    expect(verifyWebhook(["s3cret-value"], h, Buffer.concat([body, Buffer.from(" ")]), NOW)).toEqual(bad);
    expect(verifyWebhook(["s3cret-value"], h, body.subarray(1), NOW)).toEqual(bad);
    expect(verifyWebhook(["s3cret-value"], { ...h, "webhook-id": "msg_2" }, body, NOW)).toEqual(bad);
    expect(verifyWebhook(["s3cret-value"], { ...h, "webhook-timestamp": String(NOW + 1) }, body, NOW)).toEqual(bad);
  });

  it("refuses a signature made with another secret", () => {
    fc.assert(
      fc.property(secretArb, secretArb, bodyArb, (a, b, body) => {
        fc.pre(hmacKey(a) !== hmacKey(b));
        expect(verifyWebhook([b], signWebhook(a, "msg_1", NOW, body), body, NOW)).toEqual({
          ok: false,
          reason: "bad_signature",
        });
      }),
    );
  });

  it("accepts a delivery when any one of several signatures matches (sender rotating its key)", () => {
    fc.assert(
      fc.property(secretArb, secretArb, bodyArb, fc.boolean(), (oldSecret, newSecret, body, newFirst) => {
        const sigOld = signWebhook(oldSecret, "msg_1", NOW, body)["webhook-signature"];
        const sigNew = signWebhook(newSecret, "msg_1", NOW, body)["webhook-signature"];
        const headers = {
          "webhook-id": "msg_1",
          "webhook-timestamp": String(NOW),
          "webhook-signature": newFirst ? `${sigNew} ${sigOld}` : `${sigOld} ${sigNew}`,
        };
        expect(verifyWebhook([oldSecret], headers, body, NOW).ok).toBe(true);
        expect(verifyWebhook([newSecret], headers, body, NOW).ok).toBe(true);
      }),
    );
  });

  it("accepts a delivery signed with any one of the receiver's secrets (receiver rotating its key)", () => {
    const body = Buffer.from("{}");
    const h = signWebhook("old-secret-1234", "msg_1", NOW, body);
    expect(verifyWebhook(["new-secret-5678", "old-secret-1234"], h, body, NOW).ok).toBe(true);
    expect(verifyWebhook(["new-secret-5678"], h, body, NOW)).toEqual({ ok: false, reason: "bad_signature" });
    expect(verifyWebhook([], h, body, NOW)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("skips unknown versions and garbage entries next to a valid signature", () => {
    const body = Buffer.from("{}");
    const h = signWebhook("s3cret-value", "msg_1", NOW, body);
    const valid = h["webhook-signature"];
    const sig = valid.slice(3);
    for (const header of [`v2,${sig} ${valid}`, `v1,AAAA ${valid}`, `garbage  ${valid}`, `${valid} v1,${sig},extra`]) {
      expect(verifyWebhook(["s3cret-value"], { ...h, "webhook-signature": header }, body, NOW).ok).toBe(true);
    }
    expect(verifyWebhook(["s3cret-value"], { ...h, "webhook-signature": `v2,${sig}` }, body, NOW).ok).toBe(false);
    expect(verifyWebhook(["s3cret-value"], { ...h, "webhook-signature": sig }, body, NOW).ok).toBe(false);
  });
});

describe("webhook secrets", () => {
  it("decodes whsec_<base64> to the key bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), bodyArb, (key, body) => {
        const secret = `whsec_${Buffer.from(key).toString("base64")}`;
        expect(webhookSecretBytes(secret)).toEqual(Buffer.from(key));
        const expected = createHmac("sha256", Buffer.from(key)).update(`msg_1.${NOW}.`).update(body).digest("base64");
        expect(signWebhook(secret, "msg_1", NOW, body)["webhook-signature"]).toBe(`v1,${expected}`);
      }),
    );
  });

  it("uses any other string as its UTF-8 bytes", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", minLength: 1 }).filter((s) => !s.startsWith("whsec_")),
        (secret) => {
          expect(webhookSecretBytes(secret)).toEqual(Buffer.from(secret, "utf8"));
        },
      ),
    );
    expect(webhookSecretBytes("whsec_")).toEqual(Buffer.from("whsec_"));
    expect(webhookSecretBytes("whsec_!!!")).toEqual(Buffer.from("whsec_!!!"));
  });

  it("signs and verifies with the same bytes whichever form the secret takes", () => {
    const key = randomBytes(32);
    const body = Buffer.from("payload");
    const asWhsec = signWebhook(`whsec_${key.toString("base64")}`, "msg_1", NOW, body);
    expect(verifyWebhook([`whsec_${key.toString("base64")}`], asWhsec, body, NOW).ok).toBe(true);
    expect(verifyWebhook([key.toString("base64")], asWhsec, body, NOW).ok).toBe(false); // the base64 text itself is another key
  });

  it("floors a fractional timestamp to whole seconds", () => {
    expect(signWebhook("s3cret-value", "msg_1", NOW + 0.9, "x")["webhook-timestamp"]).toBe(String(NOW));
  });
});

describe("hostile headers", () => {
  const body = Buffer.from('{"a":1}');
  const good = signWebhook("s3cret-value", "msg_1", NOW, body);

  it("reports missing, empty or oversized headers as missing_headers", () => {
    const missing = { ok: false, reason: "missing_headers" };
    expect(verifyWebhook(["s3cret-value"], {}, body, NOW)).toEqual(missing);
    for (const name of ["webhook-id", "webhook-timestamp", "webhook-signature"] as const) {
      expect(verifyWebhook(["s3cret-value"], { ...good, [name]: undefined }, body, NOW)).toEqual(missing);
      expect(verifyWebhook(["s3cret-value"], { ...good, [name]: "" }, body, NOW)).toEqual(missing);
      expect(verifyWebhook(["s3cret-value"], { ...good, [name]: [] }, body, NOW)).toEqual(missing);
    }
    expect(verifyWebhook(["s3cret-value"], { ...good, "webhook-id": "x".repeat(201) }, body, NOW)).toEqual(missing);
    expect(
      verifyWebhook(
        ["s3cret-value"],
        { ...good, "webhook-signature": `${good["webhook-signature"]} ${"v1,A".repeat(1100)}` },
        body,
        NOW,
      ),
    ).toEqual(missing);
  });

  it("uses the first value of a repeated header", () => {
    expect(verifyWebhook(["s3cret-value"], { ...good, "webhook-id": ["msg_1", "msg_2"] }, body, NOW).ok).toBe(true);
    expect(verifyWebhook(["s3cret-value"], { ...good, "webhook-id": ["msg_2", "msg_1"] }, body, NOW).ok).toBe(false);
  });

  it("refuses timestamps that are not plain Unix seconds", () => {
    for (const ts of ["abc", "-5", "1e9", "1750000000.5", " 1750000000", "0x10", "1234567890123", "+1750000000"]) {
      expect(verifyWebhook(["s3cret-value"], { ...good, "webhook-timestamp": ts }, body, NOW)).toEqual({
        ok: false,
        reason: "bad_timestamp",
      });
    }
  });

  it("refuses signatures of the wrong length, non-base64 text and entries missing a part", () => {
    const sig = good["webhook-signature"].slice(3);
    for (const header of [
      "v1,",
      "v1",
      ",",
      "v1,AAAA",
      `v1,${sig.slice(0, -4)}`,
      `v1,${sig}AAAA`,
      "v1,!!!!not-base64!!!!",
      `v1 ${sig}`,
      `v1,${sig},`,
      " ",
    ]) {
      expect(verifyWebhook(["s3cret-value"], { ...good, "webhook-signature": header }, body, NOW)).toEqual({
        ok: false,
        reason: "bad_signature",
      });
    }
  });

  it("accepts only the exact base64 of the signature: no junk, no missing padding, no changed character", () => {
    const sig = good["webhook-signature"].slice(3);
    for (const header of [
      `v1,${sig}AAAA`,
      `v1,${sig.replace(/=+$/, "")}`,
      `v1,${sig.slice(0, 10)}!${sig.slice(10)}`,
      `v1,${sig.slice(0, 10)} ${sig.slice(10)}`,
    ]) {
      expect(verifyWebhook(["s3cret-value"], { ...good, "webhook-signature": header }, body, NOW).ok).toBe(false);
    }
    fc.assert(
      fc.property(
        fc.nat({ max: sig.length - 1 }),
        fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_!"),
        (at, c) => {
          fc.pre(sig[at] !== c);
          const changed = sig.slice(0, at) + c + sig.slice(at + 1);
          expect(verifyWebhook(["s3cret-value"], { ...good, "webhook-signature": `v1,${changed}` }, body, NOW)).toEqual(
            { ok: false, reason: "bad_signature" },
          );
        },
      ),
    );
  });

  it("never throws and never accepts, whatever arrives in the headers", () => {
    const headerValue = fc.oneof(
      fc.constant(undefined),
      fc.string({ unit: "binary", maxLength: 300 }),
      fc.array(fc.string(), { maxLength: 3 }),
      fc.stringMatching(/^\d{1,12}$/),
    );
    fc.assert(
      fc.property(
        fc.record({
          "webhook-id": headerValue,
          "webhook-timestamp": fc.oneof(headerValue, fc.constant(String(NOW))),
          "webhook-signature": headerValue,
        }),
        fc.array(secretArb, { maxLength: 3 }),
        fc.uint8Array({ maxLength: 64 }),
        (headers, secrets, raw) => {
          const result = verifyWebhook(secrets, headers, Buffer.from(raw), NOW);
          expect(result.ok).toBe(false);
        },
      ),
    );
  });
});
