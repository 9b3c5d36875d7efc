import { LRUCache } from "lru-cache";
import { type Cache, type CacheLimits, checkLimits, lifetimeMs, tooLarge } from "./cache.js";

/** Options of {@link createMemoryCache}. */
export interface MemoryCacheOptions extends CacheLimits {
  /** Entries held; the least recently used is evicted beyond it. */
  readonly maxItems: number;
}

/** The counter stored at `key`, or a clear error when it holds something else. */
export function counterValue(key: string, stored: string): number {
  const count = Number(stored);
  if (!Number.isSafeInteger(count)) throw new TypeError(`cache key ${key} does not hold a counter`);
  return count;
}

/**
 * An in-process LRU cache (lru-cache): one instance only, nothing shared with other replicas.
 * Expired entries are dropped when read, not by a timer.
 *
 * @throws {RangeError} when a limit is out of range.
 */
export function createMemoryCache(options: MemoryCacheOptions): Cache {
  checkLimits(options);
  if (!(Number.isSafeInteger(options.maxItems) && options.maxItems > 0))
    throw new RangeError("maxItems must be a positive integer");
  const entries = new LRUCache<string, string>({ max: options.maxItems });
  return {
    async get(key) {
      return entries.get(key);
    },
    async set(key, value, ttlSeconds) {
      const ttl = lifetimeMs(ttlSeconds, options);
      if (tooLarge(value, options)) entries.delete(key);
      else entries.set(key, value, { ttl });
    },
    async delete(key) {
      entries.delete(key);
    },
    async incr(key, ttlSeconds) {
      const ttl = lifetimeMs(ttlSeconds, options);
      const stored = entries.get(key);
      if (stored === undefined) {
        entries.set(key, "1", { ttl });
        return 1;
      }
      const count = counterValue(key, stored) + 1;
      // The window keeps the lifetime it started with.
      entries.set(key, String(count), { noUpdateTTL: true });
      return count;
    },
    async clear(prefix = "") {
      for (const key of [...entries.keys()]) if (key.startsWith(prefix)) entries.delete(key);
    },
    async close() {
      entries.clear();
    },
  };
}
