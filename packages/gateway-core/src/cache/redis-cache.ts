import {
  type Cache,
  type CacheLimits,
  type CacheLogger,
  checkLimits,
  lifetimeMs,
  tooLarge,
} from "./cache.js";
import { closeRedisClient, createRedisClient, escapeGlob } from "./redis-client.js";

/** Options of {@link createRedisCache}. */
export interface RedisCacheOptions extends CacheLimits {
  /** `REDIS_URL`. */
  readonly url: string;
  /** `CACHE_PREFIX`: keys are stored as `<prefix>cache:<key>`. */
  readonly prefix: string;
  readonly logger: CacheLogger;
}

// INCR and, for a new counter, its expiry in one step: no counter is left without a window.
const INCR_WITH_WINDOW = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return count`;

const SCAN_BATCH = 500;

/**
 * A cache in Redis (ioredis), shared by every replica using the same server and prefix. While
 * Redis is unreachable an operation fails after one reconnection attempt rather than waiting:
 * callers on a request path fall back to the database.
 *
 * @throws {RangeError} when a limit is out of range.
 */
export function createRedisCache(options: RedisCacheOptions): Cache {
  checkLimits(options);
  const client = createRedisClient(options.url, { maxRetriesPerRequest: 1 });
  let down = false;
  client.on("error", (error: Error) => {
    if (down) return;
    down = true;
    options.logger.warn({ err: error }, "Redis cache unreachable; retrying");
  });
  client.on("ready", () => {
    if (down) options.logger.info({}, "Redis cache reconnected");
    down = false;
  });
  const base = `${options.prefix}cache:`;
  const full = (key: string): string => base + key;

  return {
    async get(key) {
      return (await client.get(full(key))) ?? undefined;
    },
    async set(key, value, ttlSeconds) {
      const ttl = lifetimeMs(ttlSeconds, options);
      if (tooLarge(value, options)) await client.del(full(key));
      else if (ttl === 0) await client.set(full(key), value);
      else await client.set(full(key), value, "PX", ttl);
    },
    async delete(key) {
      await client.del(full(key));
    },
    async incr(key, ttlSeconds) {
      const ttl = lifetimeMs(ttlSeconds, options);
      if (ttl === 0) return client.incr(full(key));
      return Number(await client.eval(INCR_WITH_WINDOW, 1, full(key), ttl));
    },
    async clear(prefix = "") {
      let cursor = "0";
      do {
        const [next, keys] = await client.scan(
          cursor,
          "MATCH",
          `${escapeGlob(full(prefix))}*`,
          "COUNT",
          SCAN_BATCH,
        );
        cursor = next;
        if (keys.length > 0) await client.unlink(...keys);
      } while (cursor !== "0");
    },
    close: () => closeRedisClient(client),
  };
}
