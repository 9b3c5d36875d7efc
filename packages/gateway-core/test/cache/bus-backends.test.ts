import { setTimeout as sleep } from "node:timers/promises";
import { createRedisNamespace, type RedisNamespace, serviceAvailability } from "@contextforge/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Bus, waitForBus } from "../../src/cache/bus.js";
import { createDatabaseBus } from "../../src/cache/database-bus.js";
import { createInProcessChannel, createMemoryBus } from "../../src/cache/memory-bus.js";
import { createRedisBus } from "../../src/cache/redis-bus.js";
import { type Database, openDatabase } from "../../src/db/database.js";
import type { DialectName } from "../../src/db/database-url.js";
import { migrateToLatest } from "../../src/db/migrations/migrate.js";
import { loadSettings } from "../../src/index.js";
import { createTestDatabase, describeEachDialect, type TestDatabase } from "../support/dialect-matrix.js";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";

// One contract, every bus: a message reaches the other instances within a second, never its
// sender; then what only Redis or the database must handle (outages, ordering, pruning).

const silent = { info: () => {}, warn: () => {} };

/** The payloads `bus` receives on `topic`. */
function heard(bus: Bus, topic: string): unknown[] {
  const payloads: unknown[] = [];
  bus.subscribe(topic, (payload) => payloads.push(payload));
  return payloads;
}

/** Polls until `check` holds; returns the milliseconds it took. */
async function within(timeoutMs: number, what: string, check: () => boolean): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
  return Date.now() - started;
}

function busContract(open: () => Bus): void {
  const opened: Bus[] = [];
  /** Opens a bus, lets `prepare` subscribe, starts it and waits until it receives. */
  const started = async (prepare: (bus: Bus) => void = () => {}): Promise<Bus> => {
    const bus = open();
    opened.push(bus);
    prepare(bus);
    await bus.start();
    expect(await waitForBus(bus, 5_000), bus.problem).toBe(true);
    return bus;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((bus) => bus.close()));
  });

  it("delivers a message to every other instance within a second, never to its sender", async () => {
    let sent: unknown[] = [];
    let second: unknown[] = [];
    let third: unknown[] = [];
    const sender = await started((bus) => {
      sent = heard(bus, "registry");
    });
    await started((bus) => {
      second = heard(bus, "registry");
    });
    await started((bus) => {
      third = heard(bus, "registry");
    });
    await sender.publish("registry", { gatewayId: "g-1" });
    const took = await within(1_000, "delivery", () => second.length === 1 && third.length === 1);
    expect(took).toBeLessThan(1_000);
    expect(second).toEqual([{ gatewayId: "g-1" }]);
    expect(third).toEqual([{ gatewayId: "g-1" }]);
    await sleep(100);
    expect(sent).toEqual([]);
  });

  it("keeps topics apart, stops after unsubscribe and survives a throwing handler", async () => {
    let auth: unknown[] = [];
    let registry: unknown[] = [];
    let unsubscribe = (): void => {};
    const sender = await started();
    await started((bus) => {
      auth = heard(bus, "auth");
      registry = heard(bus, "registry");
      bus.subscribe("auth", () => {
        throw new Error("a broken handler");
      });
      unsubscribe = bus.subscribe("registry", () => {
        throw new Error("removed before any message");
      });
    });
    unsubscribe();
    await sender.publish("auth", { n: 1 });
    await within(1_000, "the auth message", () => auth.length === 1);
    await sender.publish("auth", { n: 2 });
    await within(1_000, "the second auth message", () => auth.length === 2);
    expect(auth).toEqual([{ n: 1 }, { n: 2 }]);
    expect(registry).toEqual([]);
  });

  it("does not replay what was published before it started", async () => {
    const sender = await started();
    await sender.publish("auth", { before: true });
    await sleep(50);
    let late: unknown[] = [];
    await started((bus) => {
      late = heard(bus, "auth");
    });
    await sender.publish("auth", { after: true });
    await within(1_000, "the later message", () => late.length > 0);
    await sleep(100);
    expect(late).toEqual([{ after: true }]);
  });

  it("reports a problem once closed, and ignores publishes after", async () => {
    const bus = await started();
    expect(bus.problem).toBeUndefined();
    await bus.close();
    expect(bus.problem).toBeDefined();
    await bus.publish("auth", {});
  });
}

describe("in-process bus", () => {
  const channel = createInProcessChannel();
  busContract(() => createMemoryBus({ logger: silent, channel }));
});

const redis = await serviceAvailability("redis");
describe.skipIf(!redis.available)("Redis bus", () => {
  let namespace: RedisNamespace;
  let proxy: TcpProxy | undefined;
  const extra: Bus[] = [];
  beforeAll(async () => {
    namespace = await createRedisNamespace({ label: "bus" });
  });
  afterEach(async () => {
    await Promise.all(extra.splice(0).map((bus) => bus.close()));
    await proxy?.close();
    proxy = undefined;
  });
  afterAll(() => namespace?.cleanup());

  const openBus = (url = namespace.url, prefix = namespace.prefix): Bus => {
    const bus = createRedisBus({ url, prefix, logger: silent });
    extra.push(bus);
    return bus;
  };
  /** A bus reaching Redis through a proxy the test can cut. */
  const proxied = async (listening = true): Promise<Bus> => {
    const { hostname, port } = new URL(namespace.url);
    proxy = await startTcpProxy({ host: hostname, port: Number(port || 6379) }, { listening });
    return openBus(proxy.url("redis"));
  };

  busContract(() => createRedisBus({ url: namespace.url, prefix: namespace.prefix, logger: silent }));

  it("hears nothing from buses under another CACHE_PREFIX", async () => {
    const sender = openBus(namespace.url, `${namespace.prefix}other:`);
    const receiver = openBus();
    const payloads = heard(receiver, "auth");
    await Promise.all([sender.start(), receiver.start()]);
    expect(await waitForBus(receiver, 5_000)).toBe(true);
    expect(await waitForBus(sender, 5_000)).toBe(true);
    await sender.publish("auth", {});
    await sleep(300);
    expect(payloads).toEqual([]);
  });

  it("starts while Redis is unreachable, says why, and connects (and resyncs) once it answers", async () => {
    const bus = await proxied(false);
    let resyncs = 0;
    bus.onResync(() => {
      resyncs++;
    });
    const payloads = heard(bus, "registry");
    const began = Date.now();
    await bus.start();
    expect(Date.now() - began).toBeLessThan(500);
    await within(2_000, "the failure to show", () => /ECONNREFUSED/.test(bus.problem ?? ""));
    expect(bus.problem).toMatch(/^Redis bus unavailable: /);

    await proxy?.restore();
    expect(await waitForBus(bus, 5_000)).toBe(true);
    expect(resyncs).toBe(1);
    const sender = openBus();
    await sender.publish("registry", { after: "connect" });
    await within(1_000, "a message", () => payloads.length === 1);
  });

  it("after a lost connection, reconnects, resubscribes and resyncs (what was sent meanwhile is gone)", async () => {
    const bus = await proxied();
    let resyncs = 0;
    bus.onResync(() => {
      resyncs++;
    });
    const payloads = heard(bus, "auth");
    await bus.start();
    expect(await waitForBus(bus, 5_000)).toBe(true);
    expect(resyncs).toBe(1);
    const sender = openBus();

    await proxy?.cut();
    await within(2_000, "the outage to show", () => bus.problem !== undefined);
    await sender.publish("auth", { missed: true });
    await proxy?.restore();
    expect(await waitForBus(bus, 5_000)).toBe(true);
    expect(resyncs).toBe(2);
    await sender.publish("auth", { after: "reconnect" });
    await within(1_000, "the message after reconnecting", () => payloads.length === 1);
    expect(payloads).toEqual([{ after: "reconnect" }]);
  });

  it("holds a publish made while Redis is unreachable and sends it on reconnection", async () => {
    const receiver = openBus();
    const payloads = heard(receiver, "registry");
    await receiver.start();
    expect(await waitForBus(receiver, 5_000)).toBe(true);
    const sender = await proxied();
    await sender.start();
    expect(await waitForBus(sender, 5_000)).toBe(true);

    await proxy?.cut();
    await within(2_000, "the outage to show", () => sender.problem !== undefined);
    const published = sender.publish("registry", { queued: true });
    await sleep(300);
    expect(payloads).toEqual([]);
    await proxy?.restore();
    await published;
    await within(3_000, "the queued message", () => payloads.length === 1);
    expect(payloads).toEqual([{ queued: true }]);
  });
});

await describeEachDialect("database bus", (dialect: DialectName) => {
  let target: TestDatabase;
  let database: Database;
  const extra: Bus[] = [];
  beforeAll(async () => {
    target = await createTestDatabase(dialect, "bus");
    database = openDatabase(
      loadSettings({ DATABASE_URL: target.url, DB_POOL_SIZE: "4", DB_MAX_OVERFLOW: "0" }),
    );
    await migrateToLatest(database.db, dialect);
  });
  afterEach(async () => {
    await Promise.all(extra.splice(0).map((bus) => bus.close()));
  });
  afterAll(async () => {
    await database?.close();
    await target?.drop();
  });
  const openBus = (options: { retentionMs?: number } = {}): Bus => {
    const bus = createDatabaseBus({ db: database.db, logger: silent, pollIntervalMs: 50, ...options });
    extra.push(bus);
    return bus;
  };

  // The default poll interval (500 ms): the contract's "within a second" holds as configured.
  busContract(() => createDatabaseBus({ db: database.db, logger: silent }));

  it("prunes events older than the retention", async () => {
    const old = new Date(Date.now() - 60_000).toISOString();
    await database.db
      .insertInto("bus_events")
      .values({ topic: "auth", payload: "{}", origin: "elsewhere", created_at: old })
      .execute();
    const bus = openBus({ retentionMs: 30_000 });
    await bus.start();
    const left = await database.db
      .selectFrom("bus_events")
      .select("id")
      .where("created_at", "=", old)
      .execute();
    expect(left).toEqual([]);
  });

  // Last in this file: the rows it writes with explicit ids would collide with PostgreSQL's
  // sequence later.
  it("delivers an event whose id was skipped because its insert committed late", async () => {
    const receiver = openBus();
    const payloads = heard(receiver, "registry");
    await receiver.start();
    const sender = openBus();
    await sender.publish("registry", { n: 1 });
    await within(1_000, "the first event", () => payloads.length === 1);
    const last = await database.db
      .selectFrom("bus_events")
      .select((eb) => eb.fn.max("id").as("id"))
      .executeTakeFirstOrThrow();
    const base = Number(last.id) + 100;
    const event = (n: number) => ({
      id: base + n,
      topic: "registry",
      payload: JSON.stringify({ n }),
      origin: "another-replica",
      created_at: new Date().toISOString(),
    });
    // Ids base+1 and base+2 were handed out; base+2 commits first, base+1 a moment later.
    await database.db.insertInto("bus_events").values(event(2)).execute();
    await within(1_000, "the later id", () => payloads.length === 2);
    await database.db.insertInto("bus_events").values(event(1)).execute();
    await within(1_000, "the late commit", () => payloads.length === 3);
    expect(payloads).toEqual([{ n: 1 }, { n: 2 }, { n: 1 }]);
  });
});
