import { createHash, randomBytes } from "node:crypto";

// API keys and session tokens are high-entropy random strings, so a plain
// SHA-256 is the right stored form (fast lookups, nothing to brute-force).
export const sha256Hex = (value: string) => createHash("sha256").update(value).digest("hex");
export const randomToken = (bytes = 32) => randomBytes(bytes).toString("base64url");
