import type { Cache, CacheLimits } from "./cache.js";
import { createMemoryCache } from "./memory-cache.js";

/** Counters one instance keeps with `CACHE_TYPE=none` (a rate limit must still count). */
const COUNTERS = 10_000;

/**
 * `CACHE_TYPE=none`: nothing is cached (every read misses, writes are dropped). Counters still
 * count, in process: they are state, not cached data, and a rate limit without them is off.
 */
export function createNoCache(limits: CacheLimits): Cache {
  const counters = createMemoryCache({ ...limits, maxItems: COUNTERS });
  return {
    get: async () => undefined,
    set: async () => {},
    delete: (key) => counters.delete(key),
    incr: (key, ttlSeconds) => counters.incr(key, ttlSeconds),
    clear: (prefix) => counters.clear(prefix),
    close: () => counters.close(),
  };
}
