import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  createPostgresSchema,
  createRedisNamespace,
  getFreePort,
  type PostgresSchema,
  type RedisNamespace,
  serviceAvailability,
  startProcess,
  stopAllProcesses,
} from "@contextforge/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGateway, type Gateway, loadSettings } from "../../src/index.js";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";

// A replica whose Redis is unreachable keeps serving (in development), says so on /ready, and
// once Redis is back rebuilds its snapshots: what the others announced meanwhile is lost.

const require = createRequire(import.meta.url);
const EVERYTHING = join(
  dirname(require.resolve("@contextforge/server-everything/package.json")),
  "dist",
  "cli.js",
);
const SECRET = "outage-test-secret-outage-test-secret-0";
const ADMIN = "admin@example.com";

async function ready(base: string): Promise<{ status: number; body: { status: string; error?: string } }> {
  const response = await fetch(`${base}/ready`);
  return { status: response.status, body: (await response.json()) as { status: string; error?: string } };
}

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

const postgres = await serviceAvailability("postgres");
const redis = await serviceAvailability("redis");

describe.skipIf(!postgres.available || !redis.available)("a replica losing Redis", () => {
  let schema: PostgresSchema;
  let namespace: RedisNamespace;
  let proxy: TcpProxy;
  let a: Gateway;
  let b: Gateway;
  let aBase: string;
  let bBase: string;
  let admin: string;
  let upstreamUrl: string;

  const replica = (redisUrl: string): Gateway =>
    createGateway({
      settings: loadSettings({
        DATABASE_URL: schema.url,
        DB_POOL_SIZE: "4",
        DB_MAX_OVERFLOW: "0",
        PORT: "0",
        LOG_LEVEL: "silent",
        JWT_SECRET_KEY: SECRET,
        AUTH_ENCRYPTION_SECRET: SECRET,
        CACHE_TYPE: "redis",
        REDIS_URL: redisUrl,
        CACHE_PREFIX: namespace.prefix,
      }),
    });
  const rpcTools = async (base: string): Promise<string[]> => {
    const response = await fetch(`${base}/rpc`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }),
    });
    const body = (await response.json()) as { result: { tools: { name: string }[] } };
    return body.result.tools.map((tool) => tool.name);
  };

  beforeAll(async () => {
    const port = await getFreePort();
    await startProcess(process.execPath, [EVERYTHING, "--transport", "http", "--port", String(port)], {
      readyPattern: /listening on/,
    });
    upstreamUrl = `http://127.0.0.1:${port}/mcp`;
    schema = await createPostgresSchema({ label: "outage" });
    namespace = await createRedisNamespace({ label: "outage" });
    const target = new URL(namespace.url);
    // B reaches Redis through a relay that is not listening yet: Redis is down when B starts.
    proxy = await startTcpProxy(
      { host: target.hostname, port: Number(target.port || 6379) },
      { listening: false },
    );
    a = replica(namespace.url);
    aBase = (await a.start()).url;
    b = replica(proxy.url("redis", "/0"));
    bBase = (await b.start()).url;
    admin = await a.mintToken(ADMIN, 30);
  });
  afterAll(async () => {
    await Promise.allSettled([a?.stop(), b?.stop()]);
    await proxy?.close();
    await namespace?.cleanup();
    await schema?.drop();
    await stopAllProcesses();
  });

  it("starts without Redis in development, and /ready answers 503 with the reason until Redis answers", async () => {
    const down = await ready(bBase);
    expect(down.status).toBe(503);
    expect(down.body.error).toMatch(/^Redis bus unavailable: .*ECONNREFUSED/);
    expect((await ready(aBase)).status).toBe(200);

    await proxy.restore();
    await until("B to be ready", 5_000, async () => (await ready(bBase)).status === 200);
  });

  it("after an outage, rebuilds its snapshots: a change announced meanwhile is not missed for good", async () => {
    const upstream = await fetch(`${aBase}/gateways`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "outage", url: upstreamUrl }),
    });
    expect(upstream.status).toBeLessThan(300);
    const { id } = (await upstream.json()) as { id: string };
    await until("B to list the upstream's tools", 2_000, async () =>
      (await rpcTools(bBase)).includes("outage-echo"),
    );

    await proxy.cut();
    await until("B to report the outage", 2_000, async () => (await ready(bBase)).status === 503);
    const deactivated = await fetch(`${aBase}/gateways/${id}/state?activate=false`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(deactivated.status).toBe(200);
    await sleep(300);
    // B never heard: it still serves its old snapshot.
    expect(await rpcTools(bBase)).toContain("outage-echo");

    await proxy.restore();
    await until("B to be ready again", 5_000, async () => (await ready(bBase)).status === 200);
    await until(
      "B to drop the deactivated upstream's tools",
      1_000,
      async () => !(await rpcTools(bBase)).includes("outage-echo"),
    );
  });
});

describe.skipIf(!redis.available)("a production replica without Redis", () => {
  it("fails to start with the reason, rather than serving deaf to the other replicas", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cf-outage-"));
    const unused = await getFreePort();
    const gateway = createGateway({
      settings: loadSettings({
        ENVIRONMENT: "production",
        DATABASE_URL: `sqlite:///${join(dir, "mcp.db")}`,
        LOG_LEVEL: "silent",
        JWT_SECRET_KEY: SECRET,
        AUTH_ENCRYPTION_SECRET: SECRET,
        BASIC_AUTH_PASSWORD: "not-the-default-password",
        PLATFORM_ADMIN_PASSWORD: "not-the-default-password",
        CACHE_TYPE: "redis",
        REDIS_URL: `redis://127.0.0.1:${unused}/0`,
        HEALTH_CHECK_INTERVAL: "0",
      }),
    });
    try {
      await expect(gateway.prepare()).rejects.toThrow(
        /cache bus is unavailable \(CACHE_TYPE=redis\): .*ECONNREFUSED/,
      );
    } finally {
      await gateway.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 20_000);
});
