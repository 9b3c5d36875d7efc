import {
  createPostgresSchema,
  createRedisNamespace,
  type PostgresSchema,
  type RedisNamespace,
  serviceAvailability,
} from "@contextforge/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../src/db/database.js";
import type { DialectName } from "../../src/db/database-url.js";
import { migrateToLatest } from "../../src/db/migrations/migrate.js";
import { createLeaderElection, type LeaderElection, type LeaderLease } from "../../src/federation/leader.js";
import { createDatabaseLeaderLease } from "../../src/federation/leader-lease-repository.js";
import { createRedisLeaderLease } from "../../src/federation/redis-leader-lease.js";
import { createGateway, type Gateway, loadSettings } from "../../src/index.js";
import { createTestDatabase, describeEachDialect, type TestDatabase } from "../support/dialect-matrix.js";
import { eventually } from "../support/stdio-processes.js";

// One leader among instances sharing a lease: in Redis (SET NX PX + compare-and-extend) or in a
// `leader_leases` row (PostgreSQL, MariaDB, SQLite). Short TTLs keep the takeovers quick.

const TTL_MS = 600;
const RENEW_MS = 150;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The lease behaviour every store must have, run against `lease()` (fresh per call, same key). */
function leaseContract(newLease: () => LeaderLease): void {
  const elections: LeaderElection[] = [];
  const elect = (instanceId: string): LeaderElection => {
    const election = createLeaderElection({
      lease: newLease(),
      instanceId,
      ttlMs: TTL_MS,
      renewIntervalMs: RENEW_MS,
    });
    elections.push(election);
    return election;
  };
  afterAll(async () => {
    await Promise.all(elections.map((e) => e.stop()));
  });

  it("grants the lease to exactly one of several concurrent takers", async () => {
    const lease = newLease();
    const takers = ["c1", "c2", "c3", "c4", "c5"];
    const won = await Promise.all(takers.map((holder) => lease.acquire(holder, TTL_MS)));
    expect(won.filter(Boolean)).toHaveLength(1);
    const winner = takers[won.indexOf(true)] as string;
    // The holder renews; the others still cannot take it.
    expect(await lease.acquire(winner, TTL_MS)).toBe(true);
    expect(await lease.acquire(takers.find((t) => t !== winner) as string, TTL_MS)).toBe(false);
    await lease.release(winner);
  });

  it("elects one of two instances; the other takes over once the leader steps down", async () => {
    const a = elect("instance-a");
    const b = elect("instance-b");
    a.start();
    expect(await eventually(() => a.isLeader(), 2_000)).toBe(true);
    b.start();
    await sleep(3 * RENEW_MS);
    expect([a.isLeader(), b.isLeader()]).toEqual([true, false]);

    await a.stop();
    expect(a.isLeader()).toBe(false);
    // Released, not expired: b's next renewal (within RENEW_MS) takes it.
    expect(await eventually(() => b.isLeader(), 4 * RENEW_MS)).toBe(true);
    await b.stop();
  });

  it("takes over the lease of a leader that died without releasing it, once it expires", async () => {
    const lease = newLease();
    expect(await lease.acquire("crashed", TTL_MS)).toBe(true);
    const c = elect("instance-c");
    const started = Date.now();
    c.start();
    await sleep(2 * RENEW_MS);
    expect(c.isLeader()).toBe(false);
    expect(await eventually(() => c.isLeader(), TTL_MS + 4 * RENEW_MS)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(TTL_MS - 50);
    // The old holder, back from a pause, can neither renew nor free the new holder's lease.
    expect(await lease.acquire("crashed", TTL_MS)).toBe(false);
    await lease.release("crashed");
    await c.renew();
    expect(c.isLeader()).toBe(true);
    await c.stop();
  });
}

const redisAvailable = (await serviceAvailability("redis")).available;
const postgresAvailable = (await serviceAvailability("postgres")).available;

describe.skipIf(!redisAvailable)("Redis leader lease", () => {
  let ns: RedisNamespace;
  beforeAll(async () => {
    ns = await createRedisNamespace({ label: "leader-lease" });
  });
  afterAll(() => ns?.cleanup());
  // The client prefixes the key with the namespace (ioredis keyPrefix, EVAL keys included).
  leaseContract(() => createRedisLeaderLease(ns.client, "leader"));
});

await describeEachDialect("database leader lease", (dialect: DialectName) => {
  let target: TestDatabase;
  let database: Database;
  beforeAll(async () => {
    target = await createTestDatabase(dialect, "leader-lease");
    database = openDatabase(
      loadSettings({ DATABASE_URL: target.url, DB_POOL_SIZE: "6", DB_MAX_OVERFLOW: "0" }),
    );
    await migrateToLatest(database.db, dialect);
  });
  afterAll(async () => {
    await database?.close();
    await target?.drop();
  });
  leaseContract(() => createDatabaseLeaderLease(database.db, "leader"));
});

/** Two gateway instances on one PostgreSQL schema, leader lease in `lease`. */
function twoGatewaysElectOne(lease: "database" | "redis"): void {
  let schema: PostgresSchema;
  let ns: RedisNamespace | undefined;
  const gateways: Gateway[] = [];
  beforeAll(async () => {
    schema = await createPostgresSchema({ label: `leader-${lease}` });
    if (lease === "redis") ns = await createRedisNamespace({ label: "leader-gateways" });
  });
  afterAll(async () => {
    await Promise.allSettled(gateways.map((g) => g.stop()));
    await ns?.cleanup();
    await schema?.drop();
  });

  const start = async (): Promise<Gateway> => {
    const gateway = createGateway({
      settings: loadSettings({
        LOG_LEVEL: "silent",
        DATABASE_URL: schema.url,
        DB_POOL_SIZE: "3",
        DB_MAX_OVERFLOW: "0",
        JWT_SECRET_KEY: "leader-secret-leader-secret-leader-secret",
        AUTH_ENCRYPTION_SECRET: "leader-secret-leader-secret-leader-secret",
        HEALTH_CHECK_INTERVAL: "60",
        REDIS_LEADER_TTL: "2",
        REDIS_LEADER_HEARTBEAT_INTERVAL: "1",
        ...(ns ? { CACHE_TYPE: "redis", REDIS_URL: ns.url, CACHE_PREFIX: ns.prefix } : {}),
      }),
    });
    gateways.push(gateway);
    await gateway.prepare();
    return gateway;
  };

  it("has exactly one leader; the other takes over after the first stops", async () => {
    const first = await start();
    expect(await eventually(() => first.isLeader(), 3_000)).toBe(true);
    const second = await start();
    await sleep(1_500);
    expect([first.isLeader(), second.isLeader()]).toEqual([true, false]);

    await first.stop();
    expect(first.isLeader()).toBe(false);
    expect(await eventually(() => second.isLeader(), 3_000)).toBe(true);
    if (ns) expect(await ns.client.exists("leader")).toBe(1);
  }, 20_000);
}

describe.skipIf(!postgresAvailable)("two gateways on one PostgreSQL schema, database lease", () =>
  twoGatewaysElectOne("database"),
);
describe.skipIf(!postgresAvailable || !redisAvailable)(
  "two gateways on one PostgreSQL schema, Redis lease",
  () => twoGatewaysElectOne("redis"),
);
