import type { Logger } from "pino";
import { buildApp, type MaestroApp } from "./app.ts";
import type { MaestroConfig } from "./config/env.ts";
import { openDatabase, type DatabaseOptions } from "./db/database.ts";
import { createLogger } from "./observability/logger.ts";
import { PgLiveBus } from "./live/pg-live-bus.ts";
import type { IntegrationOptions } from "./integration/integration.module.ts";

export type RunningMaestro = {
  url: string;
  port: number;
  maestro: MaestroApp;
  logger: Logger;
  close(): Promise<void>;
};

// Opens the database (migrating it), builds the app and listens.
export async function startMaestro(
  config: MaestroConfig,
  options: { logger?: Logger; schema?: string; integration?: Partial<IntegrationOptions> } = {},
): Promise<RunningMaestro> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const dbOptions: DatabaseOptions = {
    dataDir: config.dataDir,
    logger,
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
    ...(options.schema ? { schema: options.schema } : {}),
  };
  const database = await openDatabase(dbOptions);
  const live =
    database.pool && config.databaseUrl
      ? await PgLiveBus.start(database.pool, config.databaseUrl, options.schema, logger)
      : undefined;
  const maestro = await buildApp({
    config,
    database,
    logger,
    ...(live ? { live } : {}),
    ...(options.integration ? { integration: options.integration } : {}),
  });
  await maestro.app.listen({ port: config.port, host: config.host });
  maestro.start();
  const address = maestro.app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const protocol = config.tls ? "https" : "http";
  return {
    url: `${protocol}://${config.host}:${port}`,
    port,
    maestro,
    logger,
    async close() {
      await maestro.close();
      await database.close();
    },
  };
}
