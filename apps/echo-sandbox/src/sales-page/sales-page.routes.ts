import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyPluginAsync } from "fastify";

export const SALES_PAGE_ROOT = fileURLToPath(new URL("../../public/", import.meta.url));

// The sales page: static HTML, CSS and vanilla JS, no build step. It holds no
// secret; the user signs in with the sandbox API key (see README).
export function salesPageRoutes(): FastifyPluginAsync {
  return async (app) => {
    app.addHook("onSend", async (_request, reply, payload) => {
      void reply.headers({
        "content-security-policy":
          "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
      });
      return payload;
    });
    await app.register(fastifyStatic, { root: SALES_PAGE_ROOT, prefix: "/", wildcard: false, index: "index.html" });
  };
}
