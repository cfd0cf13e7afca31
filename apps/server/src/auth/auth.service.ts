import { hash, verify } from "@node-rs/argon2";
import type { Role } from "@maestro/shared/maestro.schema";
import { newId } from "@maestro/shared/ids";
import { AppError } from "../http/errors.ts";
import type { AuthContext } from "./auth-context.ts";
import type { AuthRepository } from "./auth.repository.ts";
import { LoginThrottle } from "./login-throttle.ts";
import { randomToken, sha256Hex } from "./secret-hash.ts";

const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
// A verify against this keeps unknown-e-mail logins as slow as wrong-password ones.
const DUMMY_HASH_PROMISE = hash("not-a-real-password-but-a-timing-guard");

export const hashPassword = (password: string) => hash(password);

const API_KEY_TOUCH_INTERVAL_MS = 60_000;

export class AuthService {
  private readonly throttle = new LoginThrottle();
  private readonly keyTouchedAt = new Map<string, number>();

  constructor(private readonly repo: AuthRepository) {}

  async login(email: string, password: string) {
    const wait = this.throttle.attempt(email);
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      throw new AppError(429, "rate_limited", `too many failed logins; try again in ${seconds} s`, undefined, {
        "retry-after": String(seconds),
      });
    }
    const user = await this.repo.findUserByEmail(email);
    const ok = await verify(user?.passwordHash ?? (await DUMMY_HASH_PROMISE), password).catch(() => false);
    // The attempt is on record as a failure already.
    if (!user || !ok) throw new AppError(401, "unauthenticated", "wrong e-mail or password");
    this.throttle.recordSuccess(email);
    const token = randomToken();
    const csrfToken = randomToken(24);
    const now = new Date();
    await this.repo.createSession({
      id: sha256Hex(token),
      userId: user.id,
      orgId: user.orgId,
      csrfToken,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + SESSION_TTL_MS).toISOString(),
    });
    return { token, csrfToken, user, maxAgeSeconds: SESSION_TTL_MS / 1000 };
  }

  logout(token: string) {
    return this.repo.deleteSession(sha256Hex(token));
  }

  async authenticateSession(token: string): Promise<AuthContext | undefined> {
    const row = await this.repo.findSession(sha256Hex(token), new Date().toISOString());
    if (!row) return undefined;
    return {
      orgId: row.orgId,
      role: row.role as Role,
      actor: row.email,
      userId: row.userId,
      via: "session",
      sessionId: row.sessionId,
      csrfToken: row.csrfToken,
    };
  }

  async authenticateApiKey(key: string): Promise<AuthContext | undefined> {
    const row = await this.repo.findActiveApiKey(sha256Hex(key));
    if (!row) return undefined;
    // Last use is written at most once a minute per key: a write (on PostgreSQL a
    // commit) on every call made a busy key's requests queue on its one row.
    const now = Date.now();
    if (now - (this.keyTouchedAt.get(row.id) ?? 0) >= API_KEY_TOUCH_INTERVAL_MS) {
      this.keyTouchedAt.set(row.id, now);
      void this.repo.touchApiKey(row.id, new Date(now).toISOString()).catch(() => undefined);
    }
    return { orgId: row.orgId, role: row.role as Role, actor: `api-key:${row.name}`, apiKeyId: row.id, via: "api_key" };
  }

  async createApiKey(orgId: string, name: string, role: Role, createdBy: string | null) {
    const key = `mk_${randomToken(32)}`;
    const id = newId("key");
    await this.repo.insertApiKey({
      id,
      orgId,
      name,
      role,
      keyHash: sha256Hex(key),
      keyPrefix: key.slice(0, 7),
      createdBy,
      createdAt: new Date().toISOString(),
    });
    return { id, key };
  }

  listApiKeys(orgId: string) {
    return this.repo.listApiKeys(orgId);
  }

  revokeApiKey(orgId: string, id: string) {
    return this.repo.revokeApiKey(orgId, id, new Date().toISOString());
  }

  // Ensures a key with exactly this value (MAESTRO_ADMIN_API_KEY bootstrap).
  async ensureApiKey(orgId: string, key: string, name: string, role: Role) {
    const existing = await this.repo.findApiKeyByHash(sha256Hex(key));
    if (existing) return existing.id;
    const id = newId("key");
    await this.repo.insertApiKey({
      id,
      orgId,
      name,
      role,
      keyHash: sha256Hex(key),
      keyPrefix: key.slice(0, 4),
      createdBy: "bootstrap",
      createdAt: new Date().toISOString(),
    });
    return id;
  }
}
