import type { AddressInfo } from "node:net";
import { type ServerType, serve } from "@hono/node-server";
import type { Hono } from "hono";
import type { Settings } from "./config/settings-schema.js";
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
  /** Starts listening on `HOST:PORT`; resolves with the URL once the socket is bound. */
  start(): Promise<{ url: string }>;
  /** Stops accepting connections and releases every resource; idempotent. */
  stop(): Promise<void>;
}

/** The composition root: settings in, a gateway with every component wired out. */
export function createGateway({ settings, logger = createLogger(settings) }: GatewayOptions): Gateway {
  const startedAt = new Date();
  const app = createApp({ settings, logger, versionInfo: createVersionInfo(startedAt) });
  let server: ServerType | undefined;

  return {
    settings,
    logger,
    app,
    start() {
      if (server) return Promise.reject(new Error("gateway already started"));
      return new Promise((resolve, reject) => {
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
    },
    stop() {
      const current = server;
      server = undefined;
      if (!current) return Promise.resolve();
      return new Promise((resolve, reject) => {
        current.close((error) => (error ? reject(error) : resolve()));
        if ("closeAllConnections" in current) current.closeAllConnections();
      });
    },
  };
}
