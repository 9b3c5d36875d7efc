import type { AddressInfo } from "node:net";
import { type ServerType, serve } from "@hono/node-server";
import type { Hono } from "hono";
import type { Settings } from "./config/settings-schema.js";
import { type Database, openDatabase } from "./db/database.js";
import { migrateToLatest } from "./db/migrations/migrate.js";
import { createVersionInfo } from "./health/version-info.js";
import { createApp } from "./http/app.js";
import { createLogger, type Logger } from "./observability/logger.js";

/** Options of {@link createGateway}. */
export interface GatewayOptions {
  readonly settings: Settings;
  /** Defaults to a pino logger configured from the settings. */
  readonly logger?: Logger;
}

/** A running (or ready to run) gateway. */
export interface Gateway {
  readonly settings: Settings;
  readonly logger: Logger;
  /** The Hono app; mount it in another server or call `app.request()` in tests. */
  readonly app: Hono;
  /** The database the gateway stores its state in. */
  readonly database: Database;
  /**
   * Applies pending migrations (unless `MCPGATEWAY_SKIP_MIGRATIONS`), then listens on
   * `HOST:PORT`; resolves with the URL once the socket is bound.
   */
  start(): Promise<{ url: string }>;
  /** Applies pending migrations only; `start()` calls it. */
  prepare(): Promise<void>;
  /** Stops accepting connections and releases every resource; idempotent. */
  stop(): Promise<void>;
}

/** The composition root: settings in, a gateway with every component wired out. */
export function createGateway({ settings, logger = createLogger(settings) }: GatewayOptions): Gateway {
  const startedAt = new Date();
  const database = openDatabase(settings);
  const app = createApp({
    settings,
    logger,
    health: {
      versionInfo: createVersionInfo(startedAt, database.dialect),
      checkReadiness: () => database.ping(),
    },
  });
  let server: ServerType | undefined;
  let prepared: Promise<void> | undefined;

  const prepare = (): Promise<void> => {
    prepared ??= (async () => {
      if (settings.MCPGATEWAY_SKIP_MIGRATIONS) {
        logger.info("database migrations skipped (MCPGATEWAY_SKIP_MIGRATIONS)");
        return;
      }
      const report = await migrateToLatest(database.db, database.dialect);
      if (report.applied.length > 0) logger.info({ applied: report.applied }, "database migrated");
    })();
    return prepared;
  };

  const listen = (): Promise<{ url: string }> =>
    new Promise((resolve, reject) => {
      const instance = serve({ fetch: app.fetch, hostname: settings.HOST, port: settings.PORT }, (info) => {
        instance.off("error", reject);
        const { address, port } = info as AddressInfo;
        const host = address.includes(":") ? `[${address}]` : address;
        resolve({ url: `http://${host}:${port}` });
      });
      instance.once("error", (error) => {
        server = undefined;
        reject(error);
      });
      server = instance;
    });

  return {
    settings,
    logger,
    app,
    database,
    prepare,
    async start() {
      if (server) throw new Error("gateway already started");
      await prepare();
      return listen();
    },
    async stop() {
      const current = server;
      server = undefined;
      if (current) {
        await new Promise<void>((resolve, reject) => {
          current.close((error) => (error ? reject(error) : resolve()));
          if ("closeAllConnections" in current) current.closeAllConnections();
        });
      }
      await database.close();
    },
  };
}
