import { Redis } from "ioredis";
import { createConnection } from "mysql2/promise";
import pg from "pg";
import type { ServiceName } from "./service-url.js";

/** Connects to a service, runs the cheapest round trip it has, and closes the connection again. */
export type ServiceProbe = (url: string, timeoutMs: number) => Promise<void>;

async function probePostgres(url: string, timeoutMs: number): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  // A connection that dies after connect() emits "error"; without a listener it would crash the worker.
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("select 1");
  } finally {
    await client.end().catch(() => {});
  }
}

async function probeMysql(url: string, timeoutMs: number): Promise<void> {
  const connection = await createConnection({ uri: url, connectTimeout: timeoutMs });
  try {
    await connection.ping();
  } finally {
    await connection.end().catch(() => {});
  }
}

async function probeRedis(url: string, timeoutMs: number): Promise<void> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  let socketError: unknown;
  client.on("error", (error: unknown) => {
    socketError = error;
  });
  try {
    await client.connect();
    await client.ping();
    await client.quit();
  } catch (error) {
    // connect() only says "Connection is closed."; the socket error event says why.
    throw socketError ?? error;
  } finally {
    client.disconnect();
  }
}

/** One probe per service, each using the client library the suites themselves use. */
export const SERVICE_PROBES: Readonly<Record<ServiceName, ServiceProbe>> = {
  postgres: probePostgres,
  mysql: probeMysql,
  redis: probeRedis,
};
