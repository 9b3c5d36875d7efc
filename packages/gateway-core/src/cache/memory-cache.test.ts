import { describe, expect, it } from "vitest";
import { createMemoryCache } from "./memory-cache.js";
import { createNoCache } from "./no-cache.js";

const LIMITS = { ttlSeconds: 60, maxItemBytes: 1024 };

describe("createMemoryCache", () => {
  it("evicts the least recently used entry beyond maxItems", async () => {
    const cache = createMemoryCache({ ...LIMITS, maxItems: 2 });
    await cache.set("a", "1");
    await cache.set("b", "2");
    await cache.get("a");
    await cache.set("c", "3");
    expect(await cache.get("b")).toBeUndefined();
    expect(await cache.get("a")).toBe("1");
    expect(await cache.get("c")).toBe("3");
  });

  it("refuses limits out of range at construction", () => {
    expect(() => createMemoryCache({ ...LIMITS, maxItems: 0 })).toThrow(RangeError);
    expect(() => createMemoryCache({ ...LIMITS, maxItems: 1, maxItemBytes: 0 })).toThrow(RangeError);
    expect(() => createMemoryCache({ ...LIMITS, maxItems: 1, ttlSeconds: -1 })).toThrow(RangeError);
  });
});

describe("createNoCache", () => {
  it("caches nothing but still counts", async () => {
    const cache = createNoCache(LIMITS);
    await cache.set("a", "1");
    expect(await cache.get("a")).toBeUndefined();
    expect(await cache.incr("rate", 60)).toBe(1);
    expect(await cache.incr("rate", 60)).toBe(2);
    await cache.close();
  });
});
