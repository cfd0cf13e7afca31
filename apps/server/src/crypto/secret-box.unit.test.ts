import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { keyFromString, keyId, SecretBox, SecretBoxError } from "./secret-box.ts";

const kekA = keyFromString("a".repeat(64));
const kekB = keyFromString("correct horse battery staple");
const box = new SecretBox([kekA]);

const secretArb = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 80 }),
  fc.string({ unit: "binary", maxLength: 80 }),
  fc.stringMatching(/^whsec_[A-Za-z0-9+/]{32}$/),
);

function decryptError(b: SecretBox, stored: string): SecretBoxError {
  try {
    b.decrypt(stored);
  } catch (err) {
    expect(err).toBeInstanceOf(SecretBoxError);
    return err as SecretBoxError;
  }
  throw new Error(`decrypt accepted a tampered envelope: ${stored}`);
}

describe("SecretBox round trip", () => {
  it("decrypts whatever it encrypted, for any unicode text", () => {
    fc.assert(
      fc.property(secretArb, (secret) => {
        // Lone surrogates cannot be stored as UTF-8; everything else must come back exactly.
        expect(box.decrypt(box.encrypt(secret))).toBe(Buffer.from(secret, "utf8").toString("utf8"));
      }),
    );
  });

  it("produces a different envelope every time, even for the same text", () => {
    const seen = new Set(Array.from({ length: 50 }, () => box.encrypt("api-key-123")));
    expect(seen.size).toBe(50);
  });

  it("never contains the plaintext", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme-ascii", minLength: 6, maxLength: 40 }), (secret) => {
        const stored = box.encrypt(secret);
        expect(stored.startsWith("enc:")).toBe(true);
        expect(stored).not.toContain(secret);
        expect(Buffer.from(stored.slice(4), "base64").toString("utf8")).not.toContain(secret);
      }),
    );
  });

  it("records which key encrypted the value", () => {
    expect(box.keyIdOf(box.encrypt("x"))).toBe(keyId(kekA));
    expect(box.currentKeyId).toBe(keyId(kekA));
    expect(box.keyIdOf("garbage")).toBeUndefined();
  });
});

describe("SecretBox tampering", () => {
  it("fails loudly with SecretBoxError when any character of the envelope is changed", () => {
    const stored = box.encrypt("echo-api-key-0123456789");
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_! \n";
    fc.assert(
      fc.property(fc.nat({ max: stored.length - 1 }), fc.constantFrom(...alphabet), (at, c) => {
        fc.pre(stored[at] !== c);
        decryptError(box, stored.slice(0, at) + c + stored.slice(at + 1));
      }),
      { numRuns: 2000 },
    );
  });

  it("fails loudly for every single-character change of an envelope, exhaustively", () => {
    const stored = box.encrypt("k");
    for (let at = 0; at < stored.length; at++) {
      for (const c of "AQgw+/=_-") {
        if (stored[at] !== c) decryptError(box, stored.slice(0, at) + c + stored.slice(at + 1));
      }
    }
  });

  it("fails loudly when a field inside the envelope is changed, dropped or padded", () => {
    const stored = box.encrypt("echo-api-key");
    const env = JSON.parse(Buffer.from(stored.slice(4), "base64").toString("utf8")) as Record<string, unknown>;
    const rewrap = (json: string) => `enc:${Buffer.from(json).toString("base64")}`;
    const flip = (b64: string) => {
      const bytes = Buffer.from(b64, "base64");
      bytes[0]! ^= 1;
      return bytes.toString("base64");
    };
    for (const field of ["wiv", "wkey", "wtag", "iv", "ct", "tag"]) {
      const message = decryptError(
        box,
        rewrap(JSON.stringify({ ...env, [field]: flip(env[field] as string) })),
      ).message;
      expect(message).toMatch(/tampered|corrupt/);
      decryptError(box, rewrap(JSON.stringify({ ...env, [field]: undefined })));
    }
    decryptError(box, rewrap(JSON.stringify({ ...env, v: 2 })));
    decryptError(box, rewrap(`${JSON.stringify(env)} `));
    decryptError(box, rewrap(JSON.stringify(env, null, 1)));
    expect(box.decrypt(rewrap(JSON.stringify(env)))).toBe("echo-api-key");
  });

  it("refuses values that are not envelopes at all", () => {
    expect(decryptError(box, "plain-text-api-key").message).toMatch(/not an encrypted envelope/);
    for (const junk of [
      "enc:",
      "enc:!!!!",
      "enc:bnVsbA==",
      `enc:${Buffer.from("[]").toString("base64")}`,
      `enc:${Buffer.from("{").toString("base64")}`,
    ]) {
      decryptError(box, junk);
    }
  });

  it("never throws anything but SecretBoxError, whatever is stored", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string().map((s) => `enc:${s}`),
          fc.json().map((j) => `enc:${Buffer.from(j).toString("base64")}`),
        ),
        (stored) => {
          decryptError(box, stored);
        },
      ),
    );
  });
});

describe("SecretBox keys", () => {
  it("decrypts old values after a rotation that lists the old key second, and encrypts new ones with the new key", () => {
    const old = new SecretBox([kekA]).encrypt("rotate-me");
    const rotated = new SecretBox([kekB, kekA]);
    expect(rotated.decrypt(old)).toBe("rotate-me");
    const fresh = rotated.encrypt("new");
    expect(rotated.keyIdOf(fresh)).toBe(keyId(kekB));
    expect(new SecretBox([kekB]).decrypt(fresh)).toBe("new");
  });

  it("names the missing key when a value was encrypted with a key that is not configured", () => {
    const stored = new SecretBox([kekA]).encrypt("x");
    const err = decryptError(new SecretBox([kekB]), stored);
    expect(err.message).toBe(`stored secret was encrypted with key ${keyId(kekA)}, which is not configured`);
  });

  it("refuses to start without any key", () => {
    expect(() => new SecretBox([])).toThrow(SecretBoxError);
  });

  it("uses 64 hex characters or base64 of 32 bytes as the key itself, and stretches anything else", () => {
    const raw = randomBytes(32);
    expect(keyFromString(raw.toString("hex"))).toEqual(raw);
    expect(keyFromString(raw.toString("hex").toUpperCase())).toEqual(raw);
    expect(keyFromString(raw.toString("base64"))).toEqual(raw);
    fc.assert(
      fc.property(fc.string({ maxLength: 50 }), (s) => {
        expect(keyFromString(s)).toHaveLength(32);
      }),
    );
    expect(keyFromString("passphrase")).not.toEqual(Buffer.from("passphrase"));
    expect(keyFromString("passphrase")).toEqual(keyFromString("passphrase"));
  });

  it("derives a short stable key id that differs between keys", () => {
    expect(keyId(kekA)).toMatch(/^[0-9a-f]{12}$/);
    expect(keyId(kekA)).toBe(keyId(Buffer.from(kekA)));
    expect(keyId(kekA)).not.toBe(keyId(kekB));
  });
});
