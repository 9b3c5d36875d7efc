import { createRequire } from "node:module";
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
import type { Client } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGateway, type Gateway, loadSettings } from "../../src/index.js";
import { connectClient } from "../mcp/mcp-client.js";

// Two replicas on one PostgreSQL schema: what changes on A (a revoked token, a deactivated tool,
// a new team member) is what B enforces within a second. B learns of it only through the bus:
// each replica answers from its in-memory snapshots, which nothing but the bus invalidates.

const require = createRequire(import.meta.url);
const EVERYTHING = join(
  dirname(require.resolve("@contextforge/server-everything/package.json")),
  "dist",
  "cli.js",
);
const ADMIN = "admin@example.com";
const BOB = "bob@example.com";
const SECRET = "cluster-test-secret-cluster-test-secret";

type Json = Record<string, unknown>;
interface Replica {
  readonly gateway: Gateway;
  readonly base: string;
}

/** Calls a replica's HTTP API with a bearer token. */
async function call(
  replica: Replica,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${replica.base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as Json };
}

/** The tool names `token` gets from the replica's `tools/list` over `/rpc`. */
async function listedTools(replica: Replica, token: string): Promise<string[]> {
  const { status, body } = await call(replica, token, "POST", "/rpc", {
    jsonrpc: "2.0",
    id: 1,
    method: "tools/list",
    params: {},
  });
  expect(status).toBe(200);
  return ((body.result as { tools: { name: string }[] }).tools ?? []).map((tool) => tool.name);
}

/** Polls `check` until it holds; fails after two seconds; returns the milliseconds it took. */
async function until(what: string, check: () => Promise<boolean> | boolean): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > 2_000) throw new Error(`not within 2 s: ${what}`);
    await sleep(25);
  }
  return Date.now() - started;
}

/** The upstream every replica reaches: `servers/everything` over streamable HTTP. */
let upstreamUrl: string;
beforeAll(async () => {
  const port = await getFreePort();
  await startProcess(process.execPath, [EVERYTHING, "--transport", "http", "--port", String(port)], {
    readyPattern: /listening on/,
  });
  upstreamUrl = `http://127.0.0.1:${port}/mcp`;
});
afterAll(async () => {
  await stopAllProcesses();
});

function crossInstanceSuite(cacheEnv: () => Record<string, string>): void {
  let schema: PostgresSchema;
  const replicas: Replica[] = [];
  const clients: Client[] = [];
  let a: Replica;
  let b: Replica;
  let admin: string;

  const startReplica = async (): Promise<Replica> => {
    const gateway = createGateway({
      settings: loadSettings({
        DATABASE_URL: schema.url,
        DB_POOL_SIZE: "4",
        DB_MAX_OVERFLOW: "0",
        PORT: "0",
        LOG_LEVEL: "silent",
        JWT_SECRET_KEY: SECRET,
        AUTH_ENCRYPTION_SECRET: SECRET,
        ARGON2ID_MEMORY_COST: "8192",
        ARGON2ID_TIME_COST: "1",
        ...cacheEnv(),
      }),
    });
    const replica = { gateway, base: (await gateway.start()).url };
    replicas.push(replica);
    return replica;
  };

  beforeAll(async () => {
    schema = await createPostgresSchema({ label: "cluster" });
    a = await startReplica();
    b = await startReplica();
    admin = await a.gateway.mintToken(ADMIN, 30);
  });
  afterAll(async () => {
    await Promise.allSettled(clients.map((client) => client.close()));
    await Promise.allSettled(replicas.map((replica) => replica.gateway.stop()));
    await schema?.drop();
  });

  it("both replicas are ready", async () => {
    for (const replica of [a, b]) {
      const response = await fetch(`${replica.base}/ready`);
      expect(response.status, await response.text()).toBe(200);
    }
  });

  it("an API token created on A works on B, and B refuses it within a second of its deletion on A", async () => {
    // B answers from a directory built before the token existed, as a replica in service does.
    expect((await call(b, admin, "GET", "/tools")).status).toBe(200);
    const created = await call(a, admin, "POST", "/tokens", { name: "cluster token", expires_in_days: 1 });
    expect(created.status).toBe(201);
    const apiToken = created.body.access_token as string;
    const tokenId = (created.body.token as { id: string }).id;
    // Any authenticated route will do (an API token may not manage tokens).
    await until(
      "the token to work on B",
      async () => (await call(b, apiToken, "GET", "/tools")).status === 200,
    );

    expect((await call(a, admin, "DELETE", `/tokens/${tokenId}`)).status).toBeLessThan(300);
    const took = await until(
      "B to refuse the deleted token",
      async () => (await call(b, apiToken, "GET", "/tools")).status === 401,
    );
    expect(took).toBeLessThan(1_000);
  });

  it("a tool deactivated on A leaves B's tools/list within a second, and B's open session hears list_changed", async () => {
    const upstream = await call(a, admin, "POST", "/gateways", { name: "shared", url: upstreamUrl });
    expect(upstream.status, JSON.stringify(upstream.body)).toBeLessThan(300);
    const name = "shared-echo";
    await until("the new upstream's tools on B", async () => (await listedTools(b, admin)).includes(name));
    const tools = (await call(a, admin, "GET", `/tools?gateway_id=${upstream.body.id as string}`))
      .body as unknown as {
      id: string;
      name: string;
    }[];
    const id = tools.find((tool) => tool.name === name)?.id;

    const client = await connectClient(`${b.base}/mcp`, admin, "2025");
    clients.push(client);
    const changes: number[] = [];
    client.setNotificationHandler("notifications/tools/list_changed", () => {
      changes.push(Date.now());
    });
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain(name);

    expect((await call(a, admin, "POST", `/tools/${id}/state?activate=false`)).status).toBe(200);
    const took = await until(
      "the tool to leave B's list",
      async () => !(await listedTools(b, admin)).includes(name),
    );
    expect(took).toBeLessThan(1_000);
    await until("list_changed on B's session", () => changes.length > 0);
    expect((await client.listTools()).tools.map((tool) => tool.name)).not.toContain(name);
  });

  it("a user who joins a team on A sees the team's tool on B within a second", async () => {
    const user = await call(a, admin, "POST", "/auth/email/admin/users", {
      email: BOB,
      password: "Correct-Horse-cluster-9",
      full_name: "Bob",
    });
    expect(user.status, JSON.stringify(user.body)).toBe(201);
    const team = await call(a, admin, "POST", "/teams", { name: "cluster team", visibility: "public" });
    expect(team.status, JSON.stringify(team.body)).toBe(201);
    const teamId = team.body.id as string;
    const upstream = await call(a, admin, "POST", "/gateways", {
      name: "teamed",
      url: upstreamUrl,
      team_id: teamId,
      visibility: "team",
    });
    expect(upstream.status, JSON.stringify(upstream.body)).toBeLessThan(300);
    const toolName = "teamed-echo";
    await until("the team tool on B (for the admin)", async () =>
      (await listedTools(b, admin)).includes(toolName),
    );

    const bob = await a.gateway.mintToken(BOB, 30);
    // B has seen Bob as a stranger to the team: its snapshot holds no membership for him.
    expect(await listedTools(b, bob)).not.toContain(toolName);

    const joined = await call(a, bob, "POST", `/teams/${teamId}/join`);
    expect(joined.status, JSON.stringify(joined.body)).toBe(200);
    const took = await until("Bob to see the team tool on B", async () =>
      (await listedTools(b, bob)).includes(toolName),
    );
    expect(took).toBeLessThan(1_000);
  });
}

const postgres = await serviceAvailability("postgres");
const redis = await serviceAvailability("redis");

describe.skipIf(!postgres.available || !redis.available)("two replicas with CACHE_TYPE=redis", () => {
  let namespace: RedisNamespace;
  beforeAll(async () => {
    namespace = await createRedisNamespace({ label: "cluster" });
  });
  afterAll(() => namespace?.cleanup());
  crossInstanceSuite(() => ({
    CACHE_TYPE: "redis",
    REDIS_URL: namespace.url,
    CACHE_PREFIX: namespace.prefix,
  }));
});

describe.skipIf(!postgres.available)("two replicas with CACHE_TYPE=database", () => {
  crossInstanceSuite(() => ({ CACHE_TYPE: "database" }));
});
