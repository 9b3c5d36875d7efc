import { createRequire } from "node:module";
import type { Redis, RedisOptions } from "ioredis";

// Loaded when a Redis client is first created: a gateway without REDIS_URL never pays for ioredis.
const require = createRequire(import.meta.url);

/** What callers tune; `replyMapping` is left out (its declared types disagree under exact optional properties). */
type ClientOptions = Omit<RedisOptions, "replyMapping">;

/** Longest wait between reconnection attempts: a replica is back on the bus soon after Redis. */
const MAX_RETRY_DELAY_MS = 2_000;

/**
 * A Redis client that connects when first used (or on `connect()`), and after a lost
 * connection retries forever with a backoff capped at two seconds. Errors go to the client's
 * "error" listeners; nothing prints them unless an owner adds one that does.
 */
export function createRedisClient(url: string, options: ClientOptions = {}): Redis {
  const { Redis: RedisClient } = require("ioredis") as typeof import("ioredis");
  const client = new RedisClient(url, {
    lazyConnect: true,
    connectTimeout: 5_000,
    retryStrategy: (attempt: number) => Math.min(attempt * 100, MAX_RETRY_DELAY_MS),
    ...options,
  });
  // Without an "error" listener ioredis prints each failed attempt to the console; owners that
  // report errors add their own listener.
  client.on("error", () => {});
  return client;
}

/** Closes `client`: QUIT when connected (pending replies arrive first), else drops the socket. */
export async function closeRedisClient(client: Redis): Promise<void> {
  if (client.status === "end") return;
  if (client.status !== "ready") {
    client.disconnect();
    return;
  }
  const ended = new Promise<void>((resolve) => client.once("end", resolve));
  try {
    await client.quit();
  } catch {
    client.disconnect();
    return;
  }
  await ended;
}

/** Escapes the glob characters of Redis `SCAN MATCH` in `text`. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}
