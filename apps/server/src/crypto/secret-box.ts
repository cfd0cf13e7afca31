import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

// Envelope encryption for third-party secrets at rest (Echo API key, webhook
// secret). Each value gets its own random data key (AES-256-GCM); the data key
// is wrapped with the key-encryption key (MAESTRO_SECRET_KEY, AES-256-GCM).
// The KEK's id is stored beside it, so keys can rotate: see
// `npm run rotate-secret-key` (scripts/rotate-secret-key.ts).

type Envelope = { v: 1; kid: string; wiv: string; wkey: string; wtag: string; iv: string; ct: string; tag: string };

export class SecretBoxError extends Error {}

// A KEK given as 64 hex chars or base64 of 32 bytes is used as is; any other
// string is stretched with SHA-256.
export function keyFromString(secret: string): Buffer {
  if (/^[0-9a-f]{64}$/i.test(secret)) return Buffer.from(secret, "hex");
  const b64 = Buffer.from(secret, "base64");
  if (b64.length === 32 && /^[A-Za-z0-9+/_-]+=*$/.test(secret)) return b64;
  return createHash("sha256").update(secret, "utf8").digest();
}

export const keyId = (kek: Buffer) => createHash("sha256").update(kek).digest("hex").slice(0, 12);

function seal(key: Buffer, plaintext: Buffer, aad: string) {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(aad));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, ct, tag: cipher.getAuthTag() };
}

// Node's base64 decoder is lenient (it skips unknown characters, accepts the
// URL alphabet and ignores the unused low bits of the last character), so a
// changed character could decode to the same bytes. Only the exact encoding we
// wrote is accepted, so any change to an envelope is detected.
function strictBase64(value: unknown): Buffer {
  if (typeof value !== "string") throw new SecretBoxError("stored secret is corrupt");
  const bytes = Buffer.from(value, "base64");
  if (bytes.toString("base64") !== value) throw new SecretBoxError("stored secret is corrupt");
  return bytes;
}

function open(key: Buffer, iv: Buffer, ct: Buffer, tag: Buffer, aad: string) {
  const decipher = createDecipheriv("aes-256-gcm", key, iv);
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ct), decipher.final()]);
}

export class SecretBox {
  private readonly keys = new Map<string, Buffer>();
  readonly currentKeyId: string;

  // The first key encrypts; all of them decrypt (old keys during a rotation).
  constructor(keks: readonly Buffer[]) {
    if (keks.length === 0) throw new SecretBoxError("no key-encryption key configured");
    for (const k of keks) this.keys.set(keyId(k), k);
    this.currentKeyId = keyId(keks[0]!);
  }

  encrypt(plaintext: string): string {
    const kek = this.keys.get(this.currentKeyId)!;
    const dataKey = randomBytes(32);
    const wrapped = seal(kek, dataKey, `kek:${this.currentKeyId}`);
    const body = seal(dataKey, Buffer.from(plaintext, "utf8"), "secret");
    const env: Envelope = {
      v: 1,
      kid: this.currentKeyId,
      wiv: wrapped.iv.toString("base64"),
      wkey: wrapped.ct.toString("base64"),
      wtag: wrapped.tag.toString("base64"),
      iv: body.iv.toString("base64"),
      ct: body.ct.toString("base64"),
      tag: body.tag.toString("base64"),
    };
    return `enc:${Buffer.from(JSON.stringify(env)).toString("base64")}`;
  }

  decrypt(stored: string): string {
    if (!stored.startsWith("enc:")) throw new SecretBoxError("stored secret is not an encrypted envelope");
    let env: Envelope;
    try {
      const json = strictBase64(stored.slice(4)).toString("utf8");
      env = JSON.parse(json) as Envelope;
      // Neither the JSON layout nor the version is covered by the authentication
      // tags: accept only exactly what encrypt wrote.
      if (JSON.stringify(env) !== json || env.v !== 1) throw new SecretBoxError("stored secret is corrupt");
    } catch {
      throw new SecretBoxError("stored secret is corrupt");
    }
    const kek = this.keys.get(env.kid);
    if (!kek) throw new SecretBoxError(`stored secret was encrypted with key ${env.kid}, which is not configured`);
    try {
      const dataKey = open(
        kek,
        strictBase64(env.wiv),
        strictBase64(env.wkey),
        strictBase64(env.wtag),
        `kek:${env.kid}`,
      );
      return open(dataKey, strictBase64(env.iv), strictBase64(env.ct), strictBase64(env.tag), "secret").toString(
        "utf8",
      );
    } catch {
      throw new SecretBoxError("stored secret failed authentication: it was tampered with or the key is wrong");
    }
  }

  keyIdOf(stored: string): string | undefined {
    try {
      return (JSON.parse(Buffer.from(stored.slice(4), "base64").toString("utf8")) as Envelope).kid;
    } catch {
      return undefined;
    }
  }
}
