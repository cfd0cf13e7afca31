import type { Me } from "@maestro/shared/maestro.schema";
import { create } from "zustand";

// Who is signed in. Filled by the auth feature, read everywhere for role checks.
type SessionState = {
  status: "unknown" | "authenticated" | "anonymous";
  me: Me | null;
  setMe: (me: Me | null) => void;
};

export const useSession = create<SessionState>((set) => ({
  status: "unknown",
  me: null,
  setMe: (me) => set({ me, status: me ? "authenticated" : "anonymous" }),
}));

export function useRole() {
  return useSession((s) => s.me?.user.role);
}
