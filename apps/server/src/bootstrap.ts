import { hashPassword } from "./auth/auth.service.ts";
import type { MaestroApp } from "./app.ts";
import type { MaestroConfig } from "./config/env.ts";

export const DEMO_ORG_SLUG = "demo";

// What every start ensures, demo or not: the bootstrap admin key of CONTRACT §2.
export async function bootstrap(maestro: MaestroApp, config: MaestroConfig): Promise<void> {
  if (!config.adminApiKey) return;
  const org = await maestro.services.orgs.ensure(DEMO_ORG_SLUG, "Demo Venue");
  await maestro.services.auth.ensureApiKey(org.id, config.adminApiKey, "bootstrap admin", "admin");
}

export const DEMO_USERS = [
  { email: "admin@demo.test", name: "Alex Admin", role: "admin" },
  { email: "ops@demo.test", name: "Olivia Banquets", role: "ops" },
  { email: "chef@demo.test", name: "Chef Marco Rossi", role: "chef" },
  { email: "sales@demo.test", name: "Sam Sales", role: "sales" },
  { email: "viewer@demo.test", name: "Vic Viewer", role: "viewer" },
] as const;

export async function ensureDemoUsers(maestro: MaestroApp, orgId: string, password: string): Promise<void> {
  const passwordHash = await hashPassword(password);
  for (const user of DEMO_USERS) {
    await maestro.services.orgs.ensureUser(orgId, { ...user, passwordHash });
  }
}
