import { setTimeout as sleep } from "node:timers/promises";
import { createRedisNamespace, type RedisNamespace, serviceAvailability } from "@contextforge/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Cache, CacheLimits } from "../../src/cache/cache.js";
import { createDatabaseCache } from "../../src/cache/database-cache.js";
import { createMemoryCache } from "../../src/cache/memory-cache.js";
import { createRedisCache } from "../../src/cache/redis-cache.js";
import { type Database, openDatabase } from "../../src/db/database.js";
import type { DialectName } from "../../src/db/database-url.js";
import { migrateToLatest } from "../../src/db/migrations/migrate.js";
import { loadSettings } from "../../src/index.js";
import { createTestDatabase, describeEachDialect, type TestDatabase } from "../support/dialect-matrix.js";

// One contract, every backend: what a caller of `Cache` may rely on whichever CACHE_TYPE runs.

const LIMITS: CacheLimits = { ttlSeconds: 3600, maxItemBytes: 1024 };
const silent = { info: () => {}, warn: () => {} };

/** Opens a cache with `limits` on the backend under test; `shared` reports whether two opened caches see each other's entries. */
interface Backend {
  open(limits?: Partial<CacheLimits>): Cache;
  readonly shared: boolean;
}

function cacheContract(backend: () => Backend): void {
  const opened: Cache[] = [];
  const open = (limits?: Partial<CacheLimits>): Cache => {
    const cache = backend().open(limits);
    opened.push(cache);
    return cache;
  };
  afterAll(async () => {
    await Promise.all(opened.map((cache) => cache.close()));
  });

  it("stores, reads and deletes a value; a missing key reads undefined", async () => {
    const cache = open();
    expect(await cache.get("contract:missing")).toBeUndefined();
    await cache.set("contract:a", "alpha");
    expect(await cache.get("contract:a")).toBe("alpha");
    await cache.set("contract:a", "beta");
    expect(await cache.get("contract:a")).toBe("beta");
    await cache.delete("contract:a");
    expect(await cache.get("contract:a")).toBeUndefined();
  });

  it("expires an entry after its own TTL, or the default one", async () => {
    const cache = open({ ttlSeconds: 0.3 });
    await cache.set("ttl:own", "short", 0.15);
    await cache.set("ttl:default", "default");
    await cache.set("ttl:long", "long", 60);
    await sleep(200);
    expect(await cache.get("ttl:own")).toBeUndefined();
    expect(await cache.get("ttl:default")).toBe("default");
    await sleep(200);
    expect(await cache.get("ttl:default")).toBeUndefined();
    expect(await cache.get("ttl:long")).toBe("long");
  });

  it("does not store a value over the item limit (counted in UTF-8 bytes) and drops the older one", async () => {
    const cache = open();
    await cache.set("big", "small");
    await cache.set("big", "é".repeat(513)); // 1026 bytes, 513 characters
    expect(await cache.get("big")).toBeUndefined();
    await cache.set("big", "x".repeat(1024));
    expect(await cache.get("big")).toHaveLength(1024);
  });

  it("counts with incr in a fixed window that starts with the first count", async () => {
    const cache = open();
    expect(await cache.incr("rate:a", 0.3)).toBe(1);
    expect(await cache.incr("rate:a", 0.3)).toBe(2);
    await sleep(150);
    expect(await cache.incr("rate:a", 0.3)).toBe(3);
    await sleep(250);
    expect(await cache.incr("rate:a", 0.3)).toBe(1);
    await cache.set("rate:text", "not a number");
    await expect(cache.incr("rate:text", 10)).rejects.toThrow();
  });

  it("counts concurrent increments exactly once each", async () => {
    const cache = open();
    const counts = await Promise.all(Array.from({ length: 10 }, () => cache.incr("rate:concurrent", 60)));
    expect(counts.toSorted((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("clears the keys under a prefix only, reading the prefix literally", async () => {
    const cache = open();
    for (const key of ["p%_*:1", "p%_*:2", "px_a:3", "p%_*", "other"]) await cache.set(key, key);
    await cache.clear("p%_*:");
    expect(await cache.get("p%_*:1")).toBeUndefined();
    expect(await cache.get("p%_*:2")).toBeUndefined();
    expect(await cache.get("px_a:3")).toBe("px_a:3");
    expect(await cache.get("p%_*")).toBe("p%_*");
    await cache.clear();
    expect(await cache.get("other")).toBeUndefined();
  });

  it("tells keys apart by case and trailing spaces, in reads and in clear", async () => {
    const cache = open();
    await cache.set("case:Key", "upper");
    await cache.set("case:key", "lower");
    await cache.set("case:key ", "spaced");
    expect(await cache.get("case:Key")).toBe("upper");
    expect(await cache.get("case:key")).toBe("lower");
    expect(await cache.get("case:key ")).toBe("spaced");
    await cache.clear("case:K");
    expect(await cache.get("case:Key")).toBeUndefined();
    expect(await cache.get("case:key")).toBe("lower");
  });

  it("accepts long keys, multi-byte ones too", async () => {
    const cache = open();
    for (const long of [`resource:${"segment/".repeat(200)}`, `resource:${"é/".repeat(300)}`]) {
      await cache.set(long, "content");
      expect(await cache.get(long)).toBe("content");
      expect(await cache.get(`${long}x`)).toBeUndefined();
    }
  });

  it("shares entries between instances exactly when the backend is shared", async () => {
    const first = open();
    const second = open();
    await first.set("shared:key", "from the first");
    expect(await first.incr("shared:count", 60)).toBe(1);
    if (backend().shared) {
      expect(await second.get("shared:key")).toBe("from the first");
      expect(await second.incr("shared:count", 60)).toBe(2);
    } else {
      // A process-local cache: another instance (another replica) sees nothing of it.
      expect(await second.get("shared:key")).toBeUndefined();
      expect(await second.incr("shared:count", 60)).toBe(1);
    }
  });
}

describe("memory cache", () => {
  cacheContract(() => ({
    open: (limits) => createMemoryCache({ ...LIMITS, ...limits, maxItems: 100 }),
    shared: false,
  }));
});

const redis = await serviceAvailability("redis");
describe.skipIf(!redis.available)("Redis cache", () => {
  let namespace: RedisNamespace;
  beforeAll(async () => {
    namespace = await createRedisNamespace({ label: "cache" });
  });
  afterAll(() => namespace?.cleanup());
  cacheContract(() => ({
    open: (limits) =>
      createRedisCache({
        ...LIMITS,
        ...limits,
        url: namespace.url,
        prefix: namespace.prefix,
        logger: silent,
      }),
    shared: true,
  }));

  it("keeps its keys under CACHE_PREFIX", async () => {
    const cache = createRedisCache({
      ...LIMITS,
      url: namespace.url,
      prefix: namespace.prefix,
      logger: silent,
    });
    try {
      await cache.set("visible", "here");
      // The namespace client adds the prefix itself.
      expect(await namespace.client.get("cache:visible")).toBe("here");
    } finally {
      await cache.close();
    }
  });
});

await describeEachDialect("database cache", (dialect: DialectName) => {
  let target: TestDatabase;
  let database: Database;
  beforeAll(async () => {
    target = await createTestDatabase(dialect, "cache");
    database = openDatabase(
      loadSettings({ DATABASE_URL: target.url, DB_POOL_SIZE: "4", DB_MAX_OVERFLOW: "0" }),
    );
    await migrateToLatest(database.db, dialect);
  });
  afterAll(async () => {
    await database?.close();
    await target?.drop();
  });
  cacheContract(() => ({
    open: (limits) => createDatabaseCache({ ...LIMITS, ...limits, db: database.db, dialect }),
    shared: true,
  }));

  it("deletes expired rows in the background", async () => {
    const cache = createDatabaseCache({ ...LIMITS, db: database.db, dialect, pruneIntervalMs: 50 });
    try {
      await cache.set("prune:me", "soon gone", 0.05);
      await cache.set("prune:keep", "stays", 60);
      // Values, not keys: MySQL hands the binary key column back as a Buffer.
      const rows = async () =>
        (
          await database.db
            .selectFrom("cache_entries")
            .select("value")
            .where("key", "like", "prune:%")
            .execute()
        )
          .map((r) => r.value)
          .sort();
      await expect.poll(rows, { timeout: 2_000, interval: 50 }).toEqual(["stays"]);
    } finally {
      await cache.close();
    }
  });
});
