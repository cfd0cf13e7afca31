import type { FastifyPluginAsync } from "fastify";
import type { FaultState } from "../sandbox/fault-state.ts";

export function healthRoutes(deps: { faults: FaultState }): FastifyPluginAsync {
  return async (app) => {
    app.get("/health", async () => ({ status: "ok", time: new Date(Date.now() + deps.faults.skewMs()).toISOString() }));
  };
}
