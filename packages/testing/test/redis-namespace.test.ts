import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisNamespace, type RedisNamespace, serviceAvailability, serviceUrl } from "../src/index.js";

const redis = await serviceAvailability("redis");

describe.skipIf(!redis.available)("createRedisNamespace", () => {
  let a: RedisNamespace;
  let b: RedisNamespace;
  let raw: Redis;

  beforeAll(async () => {
    [a, b] = await Promise.all([createRedisNamespace({ label: "iso a" }), createRedisNamespace()]);
    raw = new Redis(serviceUrl("redis"));
  });

  afterAll(async () => {
    await Promise.all([a?.cleanup(), b?.cleanup()]);
    await raw?.quit();
  });

  it("gives a unique prefix and a connected client that writes under it", async () => {
    expect(a.prefix).toMatch(/^cf_iso_a_[a-z0-9_]+:$/);
    expect(a.prefix).not.toBe(b.prefix);
    await a.client.set("greeting", "hello");
    expect(await raw.get(`${a.prefix}greeting`)).toBe("hello");
  });

  it("keeps two namespaces apart", async () => {
    await a.client.set("shared-name", "a");
    await b.client.set("shared-name", "b");
    await b.client.set("only-b", "b");
    expect(await a.client.get("shared-name")).toBe("a");
    expect(await b.client.get("shared-name")).toBe("b");
    expect(await a.client.exists("only-b")).toBe(0);
  });

  it("cleanup deletes its own keys only, closes the client, and is safe to call twice", async () => {
    const c = await createRedisNamespace({ label: "cleanup" });
    await c.client.mset(Object.fromEntries(Array.from({ length: 1_200 }, (_, i) => [`k${i}`, String(i)])));
    await c.client.hset("hash", "field", "value");
    await c.cleanup();
    await c.cleanup();
    expect(c.client.status).toBe("end");
    const [, left] = await raw.scan("0", "MATCH", `${c.prefix}*`, "COUNT", 10_000);
    expect(left).toEqual([]);
    expect(await b.client.get("only-b")).toBe("b");
  });
});
