import type { Kysely } from "kysely";
import type { Settings } from "../config/settings.js";
import type { Bus } from "./bus.js";
import type { Cache, CacheLimits, CacheLogger } from "./cache.js";
import type { CacheDialect, CacheTables } from "./cache-tables.js";
import { createDatabaseBus } from "./database-bus.js";
import { createDatabaseCache } from "./database-cache.js";
import { createMemoryBus } from "./memory-bus.js";
import { createMemoryCache } from "./memory-cache.js";
import { createNoCache } from "./no-cache.js";
import { createRedisBus } from "./redis-bus.js";
import { createRedisCache } from "./redis-cache.js";

/** The cache and the bus `CACHE_TYPE` chose. */
export interface CacheBackends {
  readonly cache: Cache;
  readonly bus: Bus;
}

/** What {@link openCache} builds from. */
export interface OpenCacheOptions {
  readonly settings: Pick<
    Settings,
    "CACHE_TYPE" | "REDIS_URL" | "CACHE_PREFIX" | "CACHE_MAX_ITEMS" | "CACHE_TTL" | "CACHE_MAX_ITEM_BYTES"
  >;
  /** The gateway's database (for `CACHE_TYPE=database`). */
  readonly db: Kysely<CacheTables>;
  readonly dialect: CacheDialect;
  readonly logger: CacheLogger;
  /** This replica's id on the bus; random by default. */
  readonly instanceId?: string;
}

/**
 * The cache and bus of `CACHE_TYPE`: memory and none (one instance; an in-process bus), redis
 * (several instances; pub/sub), database (several instances without Redis; a polled table).
 * Nothing connects before first use or `bus.start()`.
 */
export function openCache(options: OpenCacheOptions): CacheBackends {
  const { settings, logger, instanceId } = options;
  const limits: CacheLimits = { ttlSeconds: settings.CACHE_TTL, maxItemBytes: settings.CACHE_MAX_ITEM_BYTES };
  const ids = instanceId === undefined ? {} : { instanceId };
  switch (settings.CACHE_TYPE) {
    case "memory":
      return {
        cache: createMemoryCache({ ...limits, maxItems: settings.CACHE_MAX_ITEMS }),
        bus: createMemoryBus({ logger, ...ids }),
      };
    case "none":
      return { cache: createNoCache(limits), bus: createMemoryBus({ logger, ...ids }) };
    case "redis": {
      const redis = { url: settings.REDIS_URL, prefix: settings.CACHE_PREFIX, logger };
      return { cache: createRedisCache({ ...limits, ...redis }), bus: createRedisBus({ ...redis, ...ids }) };
    }
    case "database":
      return {
        cache: createDatabaseCache({ ...limits, db: options.db, dialect: options.dialect }),
        bus: createDatabaseBus({ db: options.db, logger, ...ids }),
      };
  }
}
