import { stopAllProcesses } from "@contextforge/testing";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { Client as V1Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { WebSocketClientTransport } from "@modelcontextprotocol/sdk/client/websocket.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createGateway, type Gateway, loadSettings } from "../../src/index.js";
import { closeAllHttpTestServers, eventually } from "../upstream/http-test-server.js";
import { type LegacyTestServer, startSessionfulHttpServer } from "../upstream/legacy-test-servers.js";

// Upstream sessions per downstream session, counted on a real 2025-era sessionful upstream (v1
// SDK): each `initialize` it accepts is one upstream session, each DELETE one ended.

let gateway: Gateway;
let base: string;
let token: string;
let upstream: LegacyTestServer;
let gatewayId: string;
let serverId: string;
const open: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  upstream = await startSessionfulHttpServer();
  gateway = createGateway({
    settings: loadSettings({
      PORT: "0",
      LOG_LEVEL: "silent",
      DATABASE_URL: "sqlite:///:memory:",
      JWT_SECRET_KEY: "session-modes-secret-session-modes-secret",
      AUTH_ENCRYPTION_SECRET: "session-modes-secret-session-modes-secret",
    }),
  });
  base = (await gateway.start()).url;
  token = await gateway.mintToken("alice@example.com", 30);
  const registered = await gateway.registry.gateways.create({
    name: "stateful",
    url: upstream.url,
    transport: "STREAMABLEHTTP",
    tags: [],
  });
  gatewayId = registered.id;
  expect(registered.sessionMode).toBe("auto");
  const tools = await gateway.registry.tools.list({
    includeInactive: false,
    tags: [],
    limit: 500,
    cursor: undefined,
    includePagination: false,
    gatewayId,
    teamId: undefined,
    visibility: undefined,
  });
  const server = await gateway.registry.servers.create({
    name: "stateful-echo",
    tags: [],
    associated_tools: tools.items.filter((t) => t.name === "stateful-echo").map((t) => t.id),
    associated_resources: [],
    associated_prompts: [],
    associated_a2a_agents: [],
  });
  serverId = server.id;
}, 30_000);

afterEach(async () => {
  await Promise.allSettled(open.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await gateway?.stop();
  await stopAllProcesses();
  await closeAllHttpTestServers();
});

/** A 2025 (initialize handshake, `Mcp-Session-Id`) or 2026 (stateless) client of `/servers/{id}/mcp`. */
async function connect(era: "2025" | "2026"): Promise<{ client: Client; end(): Promise<void> }> {
  const client = new Client(
    { name: `modes-${era}`, version: "1.0.0" },
    { versionNegotiation: { mode: era === "2026" ? "auto" : "legacy" } },
  );
  const transport = new StreamableHTTPClientTransport(new URL(`${base}/servers/${serverId}/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  open.push(client);
  // DELETE of the downstream session, then the client is done.
  const end = async () => {
    await transport.terminateSession();
    await client.close();
  };
  return { client, end };
}

/** Either SDK's client (v2 over streamable HTTP, v1 over SSE and WebSocket). */
interface ToolCaller {
  callTool(params: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
}

async function echo(client: ToolCaller, text: string): Promise<string> {
  const result = (await client.callTool({ name: "stateful-echo", arguments: { text } })) as {
    content: { text: string }[];
  };
  return result.content[0]?.text ?? "";
}

/** Upstream sessions opened and ended from now on. */
function upstreamCounter(): { opened(): number; ended(): number } {
  const opened = upstream.sessionsOpened();
  const ended = upstream.sessionsEnded();
  return { opened: () => upstream.sessionsOpened() - opened, ended: () => upstream.sessionsEnded() - ended };
}

/** Upstream sessions initialized and not ended yet. */
const openUpstreamSessions = (): number => upstream.sessionsOpened() - upstream.sessionsEnded();

async function setMode(mode: "auto" | "pooled" | "per_client"): Promise<void> {
  await gateway.registry.gateways.update(gatewayId, { session_mode: mode });
  // The new revision retires the sessions of the old one; let them go before counting.
  await eventually(() => openUpstreamSessions() === 0, 5_000);
}

describe.each(["auto", "per_client"] as const)("session_mode %s, 2025-era sessionful upstream", (mode) => {
  beforeAll(() => setMode(mode));

  it("gives two concurrent downstream sessions an upstream session each, reused by all their calls", async () => {
    const count = upstreamCounter();
    const [a, b] = await Promise.all([connect("2025"), connect("2025")]);
    const texts = await Promise.all([
      echo(a.client, "a1"),
      echo(b.client, "b1"),
      echo(a.client, "a2"),
      echo(b.client, "b2"),
    ]);
    expect(texts).toEqual(["a1", "b1", "a2", "b2"]);
    for (let i = 0; i < 5; i++) expect(await echo(a.client, `a-${i}`)).toBe(`a-${i}`);
    expect(count.opened()).toBe(2);
    expect(count.ended()).toBe(0);

    await a.end();
    await eventually(() => count.ended() === 1);
    // The other downstream session keeps its upstream session.
    expect(await echo(b.client, "b3")).toBe("b3");
    expect(count.opened()).toBe(2);
    await b.end();
    await eventually(() => count.ended() === 2);
  });

  it("serves 2026-07-28 requests and POST /rpc (no downstream session) from the shared session", async () => {
    const count = upstreamCounter();
    const [x, y] = await Promise.all([connect("2026"), connect("2026")]);
    expect(await Promise.all([echo(x.client, "x"), echo(y.client, "y"), echo(x.client, "x2")])).toEqual([
      "x",
      "y",
      "x2",
    ]);
    const rpc = await fetch(`${base}/rpc`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { server_id: serverId, name: "stateful-echo", arguments: { text: "rpc" } },
      }),
    });
    expect(await rpc.json()).toMatchObject({ result: { content: [{ type: "text", text: "rpc" }] } });
    expect(count.opened()).toBe(1);
    const session = await connect("2025");
    expect(await echo(session.client, "own")).toBe("own");
    expect(count.opened()).toBe(2);
    await session.end();
    // Only the downstream session's own upstream session ends; the shared one stays.
    await eventually(() => count.ended() === 1);
    expect(await echo(x.client, "x3")).toBe("x3");
    expect(count.opened()).toBe(2);
  });

  it("opens a new upstream session when the gateway changes, and ends the old one", async () => {
    const session = await connect("2025");
    expect(await echo(session.client, "before")).toBe("before");
    const count = upstreamCounter();
    await gateway.registry.gateways.update(gatewayId, { description: `changed ${Date.now()}` });
    expect(await echo(session.client, "after")).toBe("after");
    expect(count.opened()).toBe(1);
    // The old revision's sessions (this one's and any shared one) are ended: only the new one is left.
    await eventually(() => openUpstreamSessions() === 1);
    await session.end();
    await eventually(() => openUpstreamSessions() === 0);
  });

  it("ends the upstream session of an SSE or WebSocket downstream session when it closes", async () => {
    const count = upstreamCounter();
    const sse = new V1Client({ name: "sse", version: "1" });
    await sse.connect(
      new SSEClientTransport(new URL(`${base}/servers/${serverId}/sse`), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    open.push(sse);
    const ws = new V1Client({ name: "ws", version: "1" });
    const wsUrl = `${base.replace(/^http/, "ws")}/servers/${serverId}/ws?token=${token}`;
    await ws.connect(new WebSocketClientTransport(new URL(wsUrl)));
    open.push(ws);
    expect(await Promise.all([echo(sse, "sse"), echo(ws, "ws"), echo(sse, "sse2")])).toEqual([
      "sse",
      "ws",
      "sse2",
    ]);
    expect(count.opened()).toBe(2);
    await sse.close();
    await eventually(() => count.ended() === 1);
    await ws.close();
    await eventually(() => count.ended() === 2);
  });
});

describe("session_mode pooled", () => {
  beforeAll(() => setMode("pooled"));

  it("shares one upstream session between downstream sessions, and keeps it when one ends", async () => {
    const count = upstreamCounter();
    const [a, b] = await Promise.all([connect("2025"), connect("2025")]);
    expect(await Promise.all([echo(a.client, "a"), echo(b.client, "b"), echo(a.client, "a2")])).toEqual([
      "a",
      "b",
      "a2",
    ]);
    expect(count.opened()).toBe(1);
    await a.end();
    expect(await echo(b.client, "b2")).toBe("b2");
    expect(count.ended()).toBe(0);
    expect(count.opened()).toBe(1);
  });
});
