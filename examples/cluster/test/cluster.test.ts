import {
  createPostgresSchema,
  createRedisNamespace,
  type PostgresSchema,
  type RedisNamespace,
  serviceAvailability,
  stopAllProcesses,
} from "@contextforge/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, formatSummary, problemsOf, runClusterLoad, startCluster } from "../src/index.js";

// Three real `mcpgateway` processes on one PostgreSQL schema and one Redis prefix, behind a
// round-robin proxy without affinity: consecutive requests of a session land on different
// replicas, and one replica is SIGKILLed half way through the run.

const CLIENTS = 20;
const REQUESTS_PER_CLIENT = 100;
const KILLED = 1;

const postgres = await serviceAvailability("postgres");
const redis = await serviceAvailability("redis");

describe.skipIf(!postgres.available || !redis.available)(
  "three gateway processes behind a round-robin proxy",
  () => {
    let schema: PostgresSchema;
    let namespace: RedisNamespace;
    let cluster: Cluster;

    beforeAll(async () => {
      schema = await createPostgresSchema({ label: "example-cluster" });
      namespace = await createRedisNamespace({ label: "example-cluster" });
      cluster = await startCluster({
        databaseUrl: schema.url,
        redisUrl: namespace.url,
        cachePrefix: namespace.prefix,
        port: 0,
        replicas: 3,
        gatewayEnv: {
          // Fast first start: the administrator's password hash is made then.
          ARGON2ID_MEMORY_COST: "8192",
          ARGON2ID_TIME_COST: "1",
          DB_POOL_SIZE: "5",
          DB_MAX_OVERFLOW: "0",
        },
      });
    }, 60_000);

    afterAll(async () => {
      await cluster?.close();
      await stopAllProcesses();
      await namespace?.cleanup();
      await schema?.drop();
    });

    it("keeps 20 sessions x 100 requests (echo, progress, sampling, tools/list) going while a replica is SIGKILLed half way", async () => {
      const summary = await runClusterLoad(cluster, {
        clients: CLIENTS,
        requestsPerClient: REQUESTS_PER_CLIENT,
        v1Clients: 3,
        killAfter: (CLIENTS * REQUESTS_PER_CLIENT) / 2,
        killReplica: KILLED,
        requestTimeoutMs: 15_000,
      });
      const table = formatSummary(summary);

      expect(problemsOf(summary), table).toEqual([]);
      expect(summary.requests, table).toBe(CLIENTS * REQUESTS_PER_CLIENT);
      expect(summary.sessionNotFound, table).toBe(0);
      expect(summary.lostNotifications, table).toBe(0);
      expect(summary.notificationsExpected, table).toBeGreaterThan(0);
      expect(summary.wrongAnswers, table).toBe(0);
      expect(summary.clientsNotFinished, table).toEqual([]);
      // Only requests in flight on the dying replica may fail: at most one per client.
      expect(summary.failed, table).toBe(0);
      expect(summary.interruptedByKill, table).toBeLessThanOrEqual(CLIENTS);
      expect(summary.ok + summary.interruptedByKill, table).toBe(CLIENTS * REQUESTS_PER_CLIENT);
      for (const kind of ["echo", "progress", "sampling", "tools/list"] as const)
        expect(summary.byKind[kind].ok, `${kind}\n${table}`).toBeGreaterThan(0);

      // After the kill the two survivors serve everything, and every session goes on there.
      expect(cluster.replicas[KILLED]?.alive()).toBe(false);
      expect(summary.afterKill?.ok, table).toBe(summary.afterKill?.started);
      expect(summary.afterKill?.ok ?? 0, table).toBeGreaterThan(CLIENTS * REQUESTS_PER_CLIENT * 0.4);
      const servedAfterKill = summary.proxy?.servedAfterKill ?? {};
      for (const replica of cluster.replicas) {
        const served = servedAfterKill[replica.url] ?? 0;
        if (replica.index === KILLED) expect(served, table).toBe(0);
        else expect(served, table).toBeGreaterThan(CLIENTS * 10);
      }
    }, 90_000);
  },
);
