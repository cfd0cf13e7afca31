import { bootstrap } from "./bootstrap.ts";
import { startMaestro } from "./server.ts";
import { loadConfig } from "./config/env.ts";

const config = loadConfig();
const server = await startMaestro(config);
await bootstrap(server.maestro, config);
server.logger.info({ url: server.url }, "Maestro Banquets listening");

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void server.close().then(() => process.exit(0));
  });
}
