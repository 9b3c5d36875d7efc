import { stopAllProcesses } from "@contextforge/testing";
import { type Client, ProtocolError } from "@modelcontextprotocol/client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DialectName } from "../../src/db/database-url.js";
import { createGateway, type Gateway, loadSettings } from "../../src/index.js";
import { connectClient } from "../mcp/mcp-client.js";
import { describeEachDialect } from "../support/dialect-matrix.js";
import { eventually } from "../support/stdio-processes.js";
import { createTestGateway, type TestGateway } from "../support/test-gateway.js";
import { type SampleServer, startSampleServer } from "../upstream/sample-server-process.js";

// Health checks against a real upstream process, killed to simulate an outage and started again
// on the same port. Rounds are run directly (HEALTH_CHECK_INTERVAL=0 turns the loop off), except
// in the test of the loop itself.

const EVERYTHING = "@contextforge/server-everything";
const SECRET = "health-secret-health-secret-health-secret";
const UPSTREAM_TOKEN = "upstream-token-never-shown";
type Json = Record<string, unknown>;

afterAll(stopAllProcesses);

await describeEachDialect("health checks, REST API", (dialect: DialectName) => {
  let upstream: SampleServer;
  let t: TestGateway;
  let id: string;

  beforeAll(async () => {
    upstream = await startSampleServer(EVERYTHING);
    t = await createTestGateway(dialect, "health", {
      HEALTH_CHECK_INTERVAL: "0",
      HEALTH_CHECK_TIMEOUT: "2",
      UNHEALTHY_THRESHOLD: "2",
    });
    const created = await t.json<Json>("POST", "/gateways", {
      name: "everything",
      url: upstream.url,
      transport: "STREAMABLEHTTP",
      auth_type: "bearer",
      auth_token: UPSTREAM_TOKEN,
    });
    expect(created.status).toBe(200);
    id = String(created.body.id);
  }, 30_000);
  afterAll(async () => {
    await t?.close();
    await upstream?.kill().catch(() => {});
  });

  const read = async (): Promise<Json> => (await t.json<Json>("GET", `/gateways/${id}`)).body;
  const toolReachability = async (): Promise<boolean[]> => {
    const body = (await t.json<unknown>("GET", `/tools?gateway_id=${id}`)).body;
    const items = (Array.isArray(body) ? body : (body as { items: Json[] }).items) as Json[];
    expect(items.length).toBeGreaterThan(0);
    return [...new Set(items.map((tool) => tool.reachable as boolean))];
  };

  it("records an answered check: healthy, last seen now, no error", async () => {
    const before = await read();
    const round = await t.gateway.runHealthChecks();
    expect(round.gateways).toEqual([
      { gatewayId: id, slug: "everything", check: "answered", reachable: true, refreshed: false },
    ]);
    const after = await read();
    expect(after).toMatchObject({
      status: "healthy",
      reachable: true,
      lastError: null,
      consecutiveFailures: 0,
    });
    expect(Date.parse(String(after.lastSeen))).toBeGreaterThanOrEqual(Date.parse(String(before.lastSeen)));
    // Health is state, not configuration: no new version.
    expect(after.version).toBe(before.version);
  });

  it("counts failures, then marks the gateway and its tools unreachable at the threshold", async () => {
    const before = await read();
    await upstream.kill();

    const first = await t.gateway.runHealthChecks();
    expect(first.gateways[0]).toMatchObject({ check: "failed", reachable: true });
    const degraded = await read();
    expect(degraded).toMatchObject({ status: "degraded", reachable: true, consecutiveFailures: 1 });
    expect(String(degraded.lastError)).toContain(`127.0.0.1:${upstream.port}`);
    expect(String(degraded.lastError)).not.toContain(UPSTREAM_TOKEN);
    expect(degraded.lastSeen).toBe(before.lastSeen);

    const second = await t.gateway.runHealthChecks();
    expect(second.gateways[0]).toMatchObject({ check: "failed", reachable: false });
    expect(await read()).toMatchObject({
      status: "unreachable",
      reachable: false,
      consecutiveFailures: 2,
      version: before.version,
    });
    expect(await toolReachability()).toEqual([false]);
  });

  it("reactivates the gateway when the upstream answers again", async () => {
    await upstream.start();
    const round = await t.gateway.runHealthChecks();
    expect(round.gateways[0]).toMatchObject({ check: "answered", reachable: true });
    expect(await read()).toMatchObject({
      status: "healthy",
      reachable: true,
      lastError: null,
      consecutiveFailures: 0,
    });
    expect(await toolReachability()).toEqual([true]);
  });
});

describe.each(["hide", "show"] as const)("an unreachable upstream on /mcp, UNREACHABLE_ITEMS=%s", (mode) => {
  let upstream: SampleServer;
  let gateway: Gateway;
  let base: string;
  let token: string;
  const clients: Client[] = [];

  beforeAll(async () => {
    upstream = await startSampleServer(EVERYTHING);
    gateway = createGateway({
      settings: loadSettings({
        PORT: "0",
        LOG_LEVEL: "silent",
        DATABASE_URL: "sqlite:///:memory:",
        JWT_SECRET_KEY: SECRET,
        AUTH_ENCRYPTION_SECRET: SECRET,
        HEALTH_CHECK_INTERVAL: "0",
        HEALTH_CHECK_TIMEOUT: "2",
        UNHEALTHY_THRESHOLD: "2",
        UNREACHABLE_ITEMS: mode,
      }),
    });
    base = (await gateway.start()).url;
    token = await gateway.mintToken("admin@example.com", 30);
    await gateway.registry.gateways.create({
      name: "everything",
      url: upstream.url,
      transport: "STREAMABLEHTTP",
      tags: [],
    });
  }, 30_000);
  afterEach(async () => {
    await Promise.allSettled(clients.splice(0).map((client) => client.close()));
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.kill().catch(() => {});
  });

  const connect = async (): Promise<Client> => {
    const client = await connectClient(`${base}/mcp`, token, "2025");
    clients.push(client);
    return client;
  };
  const echo = (client: Client) => client.callTool({ name: "everything-echo", arguments: { message: "hi" } });

  it("hides or flags its items, fails calls fast with a clear error, and recovers after one answered round", async () => {
    const client = await connect();
    let toolListChanges = 0;
    client.setNotificationHandler("notifications/tools/list_changed", () => {
      toolListChanges++;
    });
    const before = (await client.listTools()).tools.map((tool) => tool.name);
    expect(before).toContain("everything-echo");

    await upstream.kill();
    await gateway.runHealthChecks();
    // One failure is below the threshold: still listed, unflagged.
    expect(
      (await client.listTools()).tools.find((tool) => tool.name === "everything-echo")?._meta,
    ).toBeUndefined();
    await gateway.runHealthChecks();

    const listed = (await client.listTools()).tools;
    const prompts = (await client.listPrompts()).prompts;
    if (mode === "hide") {
      expect(listed.filter((tool) => tool.name.startsWith("everything-"))).toEqual([]);
      expect(prompts.filter((prompt) => prompt.name.startsWith("everything-"))).toEqual([]);
      expect(await eventually(() => toolListChanges > 0, 5_000)).toBe(true);
    } else {
      expect(listed.map((tool) => tool.name)).toEqual(before);
      const flagged = listed.find((tool) => tool.name === "everything-echo");
      expect(flagged?._meta).toEqual({ "io.contextforge/reachable": false });
      expect(prompts.every((prompt) => prompt._meta?.["io.contextforge/reachable"] === false)).toBe(true);
    }

    const started = performance.now();
    const error = await echo(client).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(500);
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error).toMatchObject({ code: -32603, data: { upstream: "unreachable", gateway: "everything" } });
    expect((error as ProtocolError).message).toContain("everything is unreachable");

    await upstream.start();
    const round = await gateway.runHealthChecks();
    expect(round.gateways[0]).toMatchObject({ check: "answered", reachable: true });
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(before);
    expect(
      (await client.listTools()).tools.find((tool) => tool.name === "everything-echo")?._meta,
    ).toBeUndefined();
    const result = await echo(client);
    expect((result.content as { text: string }[])[0]?.text).toBe("hi");
  }, 30_000);
});

describe("the health check loop", () => {
  it("runs on its own on the (sole SQLite) leader, marking the upstream unreachable and back", async () => {
    const upstream = await startSampleServer(EVERYTHING);
    const gateway = createGateway({
      settings: loadSettings({
        LOG_LEVEL: "silent",
        DATABASE_URL: "sqlite:///:memory:",
        JWT_SECRET_KEY: SECRET,
        AUTH_ENCRYPTION_SECRET: SECRET,
        HEALTH_CHECK_INTERVAL: "1",
        HEALTH_CHECK_TIMEOUT: "1",
        UNHEALTHY_THRESHOLD: "1",
      }),
    });
    try {
      await gateway.prepare();
      expect(gateway.isLeader()).toBe(true);
      const { id } = await gateway.registry.gateways.create({
        name: "everything",
        url: upstream.url,
        transport: "STREAMABLEHTTP",
        tags: [],
      });
      let reachable = true;
      const poll = async (want: boolean): Promise<boolean> => {
        const end = Date.now() + 8_000;
        while (Date.now() < end) {
          reachable = (await gateway.registry.gateways.get(id)).reachable;
          if (reachable === want) return true;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        return false;
      };
      await upstream.kill();
      expect(await poll(false)).toBe(true);
      await upstream.start();
      expect(await poll(true)).toBe(true);
    } finally {
      await gateway.stop();
      await upstream.kill().catch(() => {});
    }
  }, 30_000);

  it("is off, and no instance leads, with HEALTH_CHECK_INTERVAL=0", async () => {
    const gateway = createGateway({
      settings: loadSettings({
        LOG_LEVEL: "silent",
        DATABASE_URL: "sqlite:///:memory:",
        HEALTH_CHECK_INTERVAL: "0",
      }),
    });
    await gateway.prepare();
    expect(gateway.isLeader()).toBe(false);
    await gateway.stop();
  });
});
