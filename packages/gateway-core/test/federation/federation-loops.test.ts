import { stopAllProcesses } from "@contextforge/testing";
import type { Client } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GATEWAY_ID_META_KEY, VIA_META_KEY } from "../../src/federation/federation-marker.js";
import { createGateway, type Gateway, loadSettings } from "../../src/index.js";
import { type GatewayFixture, startGatewayFixture } from "../mcp/gateway-fixture.js";
import { connectClient } from "../mcp/mcp-client.js";
import { startTcpProxy } from "../support/tcp-proxy.js";

const SECRET = "federation-test-secret-federation-test-secret";

/** A started gateway with an empty registry (SQLite in memory) and a token of its own. */
interface Peer {
  readonly gateway: Gateway;
  readonly base: string;
  readonly token: string;
}

const started: Gateway[] = [];
const clients: Client[] = [];

async function startPeer(settings: Record<string, string> = {}): Promise<Peer> {
  const gateway = createGateway({
    settings: loadSettings({
      PORT: "0",
      DATABASE_URL: "sqlite:///:memory:",
      JWT_SECRET_KEY: SECRET,
      AUTH_ENCRYPTION_SECRET: SECRET,
      LOG_LEVEL: "silent",
      ...settings,
    }),
  });
  started.push(gateway);
  const base = (await gateway.start()).url;
  return { gateway, base, token: await gateway.mintToken("alice@example.com", 30) };
}

async function startFixture(settings: Record<string, string> = {}): Promise<Peer> {
  const fixture: GatewayFixture = await startGatewayFixture({ LOG_LEVEL: "silent", ...settings });
  started.push(fixture.gateway);
  return { gateway: fixture.gateway, base: fixture.base, token: fixture.token };
}

/** Registers `peer`'s `/mcp` on `on` as a streamable HTTP gateway, with a bearer token of `peer`. */
function registerPeer(on: Peer, name: string, peer: Peer) {
  return on.gateway.registry.gateways.create({
    name,
    url: `${peer.base}/mcp`,
    transport: "STREAMABLEHTTP",
    tags: [],
    auth_type: "bearer",
    auth_token: peer.token,
  });
}

type RpcAnswer = {
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data?: unknown };
};

/** One `POST /rpc` request (plain JSON-RPC), optionally posing as a gateway with a `via` chain. */
async function rpc(peer: Peer, method: string, params: Record<string, unknown>, via?: string[]) {
  const response = await fetch(`${peer.base}/rpc`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${peer.token}` },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method,
      params: via === undefined ? params : { ...params, _meta: { [VIA_META_KEY]: via } },
    }),
  });
  return (await response.json()) as RpcAnswer;
}

async function toolNames(peer: Peer, via?: string[]): Promise<string[]> {
  const answer = await rpc(peer, "tools/list", {}, via);
  return ((answer.result?.tools ?? []) as { name: string }[]).map((t) => t.name);
}

afterAll(async () => {
  await Promise.allSettled(clients.map((client) => client.close()));
  await Promise.allSettled(started.map((gateway) => gateway.stop()));
  await stopAllProcesses();
});

describe("federation between gateways", () => {
  let a: Peer;
  let b: Peer;
  let c: Peer;

  beforeAll(async () => {
    // B fronts servers/everything; A and C start empty.
    [a, b, c] = await Promise.all([startPeer(), startFixture(), startPeer()]);
  });

  it("gives every gateway its own federation id and names it in list results", async () => {
    const ids = [a, b, c].map((peer) => peer.gateway.federationId);
    expect(new Set(ids).size).toBe(3);
    const answer = await rpc(b, "tools/list", {});
    expect(answer.result?._meta).toEqual({ [GATEWAY_ID_META_KEY]: b.gateway.federationId });
  });

  it("imports a peer's tools with the peer's slug as prefix and calls them through it", async () => {
    const registered = await registerPeer(a, "peer-b", b);
    expect(registered.federationId).toBe(b.gateway.federationId);
    const client = await connectClient(`${a.base}/mcp`, a.token, "2025");
    clients.push(client);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain("peer-b-everything-echo");
    const result = await client.callTool({ name: "peer-b-everything-echo", arguments: { message: "via A" } });
    expect(result.content).toEqual([{ type: "text", text: "via A" }]);
  });

  it.each([
    ["SSE", "/sse"],
    ["WEBSOCKET", "/ws"],
  ] as const)("carries the via marker over a 2025-era %s hop too", async (transport, path) => {
    const slug = `peer-b-${transport.toLowerCase()}`;
    const registered = await a.gateway.registry.gateways.create({
      name: slug,
      url: `${transport === "WEBSOCKET" ? b.base.replace(/^http/, "ws") : b.base}${path}`,
      transport,
      tags: [],
      auth_type: "bearer",
      auth_token: b.token,
    });
    expect(registered.federationId).toBe(b.gateway.federationId);
    const name = `${slug}-everything-echo`;
    const ok = await rpc(a, "tools/call", { name, arguments: { message: "ok" } });
    expect(ok.result).toMatchObject({ content: [{ type: "text", text: "ok" }] });
    // Three gateways passed before A are within A's limit; A's own hop makes four, too many for B.
    const call = await rpc(a, "tools/call", { name, arguments: { message: "x" } }, ["x1", "x2", "x3"]);
    expect(call.error).toMatchObject({
      code: -32004,
      data: { reason: "max_hops", maxHops: 3, via: ["x1", "x2", "x3", a.gateway.federationId] },
    });
  });

  it("marks a peer that went down unreachable after the threshold, and reactivates it when it is back", async () => {
    // D reaches B through a relay that can be cut; its health checks run on demand.
    const d = await startPeer({ HEALTH_CHECK_INTERVAL: "0", UNHEALTHY_THRESHOLD: "2" });
    const relay = await startTcpProxy({ host: "127.0.0.1", port: Number(new URL(b.base).port) });
    try {
      const peer = await d.gateway.registry.gateways.create({
        name: "flaky-b",
        url: relay.url("http", "/mcp"),
        transport: "STREAMABLEHTTP",
        tags: [],
        auth_type: "bearer",
        auth_token: b.token,
      });
      const call = () =>
        rpc(d, "tools/call", { name: "flaky-b-everything-echo", arguments: { message: "hi" } });
      const reachable = async () => (await d.gateway.registry.gateways.get(peer.id)).reachable;
      expect((await call()).result).toMatchObject({ content: [{ text: "hi" }] });

      await relay.cut();
      await d.gateway.runHealthChecks();
      expect(await reachable()).toBe(true);
      await d.gateway.runHealthChecks();
      expect(await reachable()).toBe(false);
      expect(await toolNames(d)).not.toContain("flaky-b-everything-echo");
      const refused = await call();
      expect(refused.error?.message).toMatch(/unreachable|not found/i);

      await relay.restore();
      await d.gateway.runHealthChecks();
      expect(await reachable()).toBe(true);
      expect((await call()).result).toMatchObject({ content: [{ text: "hi" }] });
    } finally {
      await relay.close();
    }
  });

  it("never re-exports to a peer what it imported from it: B registering A imports nothing of B's", async () => {
    // A's lists, asked by B (its via marker), leave out what A got from B.
    expect(await toolNames(a)).toContain("peer-b-everything-echo");
    expect(await toolNames(a, [b.gateway.federationId])).not.toContain("peer-b-everything-echo");
    const registered = await registerPeer(b, "peer-a", a);
    expect(registered.federationId).toBe(a.gateway.federationId);
    const imported = await b.gateway.registry.tools.list({
      includeInactive: true,
      tags: [],
      limit: 500,
      cursor: undefined,
      includePagination: false,
      gatewayId: registered.id,
      teamId: undefined,
      visibility: undefined,
    });
    expect(imported.items).toEqual([]);
    expect((await toolNames(b)).filter((name) => name.startsWith("peer-a"))).toEqual([]);
    // And B calling on A what A imported from B is refused: it would go back to B.
    const call = await rpc(a, "tools/call", { name: "peer-b-everything-echo", arguments: { message: "x" } }, [
      b.gateway.federationId,
    ]);
    expect(call.error).toMatchObject({
      code: -32004,
      data: { reason: "loop", gatewayId: a.gateway.federationId, peer: b.gateway.federationId },
    });
  });

  it("refuses a request that has already passed this gateway (loop detected)", async () => {
    const call = await rpc(a, "tools/call", { name: "peer-b-everything-echo", arguments: { message: "x" } }, [
      a.gateway.federationId,
    ]);
    expect(call.error).toMatchObject({
      code: -32004,
      data: { reason: "loop", gatewayId: a.gateway.federationId },
    });
    expect(call.error?.message).toMatch(/loop detected/i);
  });

  it("refuses a call that travels a loop of three gateways, with the loop error and no hang", async () => {
    // C imports A (which holds B's tools), then B imports C: B -> C -> A -> B is a cycle. A sees
    // the request come through B and refuses to send it back there.
    await registerPeer(c, "peer-a", a);
    await registerPeer(b, "peer-c", c);
    const looped = (await toolNames(b)).find((name) => name.startsWith("peer-c-") && name.includes("echo"));
    expect(looped).toBeDefined();
    const client = await connectClient(`${b.base}/mcp`, b.token, "2026");
    clients.push(client);
    const started = performance.now();
    const error = await client
      .callTool({ name: String(looped), arguments: { message: "round and round" } })
      .then(
        () => undefined,
        (e: unknown) => e as { code?: number; message?: string; data?: unknown },
      );
    expect(error).toMatchObject({
      code: -32004,
      data: {
        reason: "loop",
        gatewayId: a.gateway.federationId,
        peer: b.gateway.federationId,
        via: [b.gateway.federationId, c.gateway.federationId],
      },
    });
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("refuses to register the gateway itself (422)", async () => {
    const admin = await a.gateway.mintToken("admin@example.com", 30);
    const response = await fetch(`${a.base}/gateways`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${admin}` },
      body: JSON.stringify({
        name: "myself",
        url: `${a.base}/mcp`,
        transport: "STREAMABLEHTTP",
        auth_type: "bearer",
        auth_token: a.token,
      }),
    });
    expect(response.status).toBe(422);
    expect(JSON.stringify(await response.json())).toMatch(/this gateway itself/);
  });
});

describe("FEDERATION_MAX_HOPS", () => {
  it("refuses a chain longer than the limit: A -> B -> C with max hops 1", async () => {
    const hops = { FEDERATION_MAX_HOPS: "1" };
    const c = await startFixture(hops);
    const [a, b] = await Promise.all([startPeer(hops), startPeer(hops)]);
    await registerPeer(b, "peer-c", c);
    await registerPeer(a, "peer-b", b);
    // One hop is within the limit: B -> C.
    const direct = await rpc(b, "tools/call", {
      name: "peer-c-everything-echo",
      arguments: { message: "one" },
    });
    expect(direct.result).toMatchObject({ content: [{ type: "text", text: "one" }] });
    // Two are not: C sees [A, B] and refuses, and the error travels back to the client.
    const name = (await toolNames(a)).find((n) => n.startsWith("peer-b-peer-c-") && n.includes("echo"));
    expect(name).toBeDefined();
    const call = await rpc(a, "tools/call", { name: String(name), arguments: { message: "two" } });
    expect(call.error).toMatchObject({
      code: -32004,
      data: { reason: "max_hops", maxHops: 1, via: [a.gateway.federationId, b.gateway.federationId] },
    });
  });
});
