import type { Role } from "@maestro/shared/maestro.schema";

// What each role may do in the UI (CONTRACT §3). The server enforces the same
// rules; the UI only hides what a role cannot do.
const matrix = {
  createEvent: ["admin", "ops", "sales"],
  createBeo: ["admin", "ops"],
  editBeo: ["admin", "ops", "chef"],
  approveBeo: ["admin", "chef"],
  resolveConflict: ["admin", "ops"],
  syncNow: ["admin", "ops"],
  configureIntegration: ["admin"],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof matrix;

export function can(role: Role | undefined, permission: Permission): boolean {
  return role !== undefined && (matrix[permission] as readonly Role[]).includes(role);
}

export const roleLabels: Record<Role, string> = {
  admin: "Administrator",
  ops: "Banquet manager",
  chef: "Chef",
  sales: "Sales",
  viewer: "Viewer",
};
