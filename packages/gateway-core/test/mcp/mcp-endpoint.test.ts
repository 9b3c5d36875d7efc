import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { getFreePort, startProcess, stopAllProcesses } from "@contextforge/testing";
import type { Client } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGateway, type Gateway, loadSettings } from "../../src/index.js";
import { type ClientEra, connectClient } from "./mcp-client.js";

const require = createRequire(import.meta.url);
const bin = (pkg: string) => join(dirname(require.resolve(`${pkg}/package.json`)), "dist", "cli.js");

async function startSample(pkg: string, args: string[] = []): Promise<string> {
  const port = await getFreePort();
  await startProcess(process.execPath, [bin(pkg), "--transport", "http", "--port", String(port), ...args], {
    readyPattern: /listening on/,
  });
  return `http://127.0.0.1:${port}/mcp`;
}

let gateway: Gateway;
let base: string;
let token: string;
let serverId: string;
const clients: Client[] = [];

beforeAll(async () => {
  const fastTime = await startSample("@contextforge/server-fast-time");
  const everything = await startSample("@contextforge/server-everything", ["--page-size", "5"]);
  gateway = createGateway({
    settings: loadSettings({
      PORT: "0",
      LOG_LEVEL: "silent",
      DATABASE_URL: "sqlite:///:memory:",
      JWT_SECRET_KEY: "mcp-endpoint-test-secret-mcp-endpoint",
      AUTH_ENCRYPTION_SECRET: "mcp-endpoint-test-secret-mcp-endpoint",
    }),
  });
  base = (await gateway.start()).url;
  token = await gateway.mintToken("alice@example.com", 30);
  const { registry } = gateway;
  const ft = await registry.gateways.create({
    name: "fast-time",
    url: fastTime,
    transport: "STREAMABLEHTTP",
    tags: [],
  });
  const ev = await registry.gateways.create({
    name: "everything",
    url: everything,
    transport: "STREAMABLEHTTP",
    tags: [],
  });
  const tools = (
    await registry.tools.list({
      includeInactive: false,
      tags: [],
      limit: 500,
      cursor: undefined,
      includePagination: false,
      gatewayId: undefined,
      teamId: undefined,
      visibility: undefined,
    })
  ).items;
  const pick = (name: string) => tools.find((t) => t.name === name)?.id ?? "";
  const resources = (
    await registry.resources.list({
      includeInactive: false,
      tags: [],
      limit: 500,
      cursor: undefined,
      includePagination: false,
      gatewayId: ft.id,
      teamId: undefined,
      visibility: undefined,
    })
  ).items;
  const prompts = (
    await registry.prompts.list({
      includeInactive: false,
      tags: [],
      limit: 500,
      cursor: undefined,
      includePagination: false,
      gatewayId: ft.id,
      teamId: undefined,
      visibility: undefined,
    })
  ).items;
  const server = await registry.servers.create({
    name: "mixed",
    tags: [],
    associated_tools: [pick("fast-time-get-system-time"), pick("everything-echo"), pick("everything-slow")],
    associated_resources: resources.map((r) => r.id),
    associated_prompts: prompts.map((p) => p.id),
    associated_a2a_agents: [],
  });
  serverId = server.id;
  expect(ev.slug).toBe("everything");
});

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await gateway?.stop();
  await stopAllProcesses();
});

async function client(era: ClientEra, path = `/servers/${serverId}/mcp`, capabilities = {}): Promise<Client> {
  const c = await connectClient(`${base}${path}`, token, era, capabilities);
  clients.push(c);
  return c;
}

describe.each(["2025", "2026"] as const)("MCP through /servers/{id}/mcp, protocol era %s", (era) => {
  it("lists exactly the virtual server's tools, resources and prompts", async () => {
    const c = await client(era);
    const tools = await c.listTools();
    expect(tools.tools.map((t) => t.name).sort()).toEqual([
      "everything-echo",
      "everything-slow",
      "fast-time-get-system-time",
    ]);
    const resources = await c.listResources();
    expect(resources.resources.map((r) => r.uri)).toEqual(["time://timezones"]);
    const prompts = await c.listPrompts();
    expect(prompts.prompts.map((p) => p.name)).toEqual(["fast-time-compare-times"]);
  });

  it("calls upstream tools by their exposed names, with results relayed verbatim", async () => {
    const c = await client(era);
    const echo = await c.callTool({ name: "everything-echo", arguments: { message: "through the gateway" } });
    expect(echo.content).toEqual([{ type: "text", text: "through the gateway" }]);
    const time = await c.callTool({
      name: "fast-time-get-system-time",
      arguments: { timezone: "Asia/Tokyo" },
    });
    expect(time.isError ?? false).toBe(false);
    expect(JSON.stringify(time.structuredContent ?? time.content)).toContain("Asia/Tokyo");
    const bad = await c.callTool({
      name: "fast-time-get-system-time",
      arguments: { timezone: "Mars/Olympus" },
    });
    expect(bad.isError).toBe(true);
  });

  it("relays progress in order", async () => {
    const c = await client(era);
    const seen: number[] = [];
    await c.callTool(
      { name: "everything-slow", arguments: { steps: 3, stepMs: 20 } },
      { onprogress: (p) => seen.push(p.progress) },
    );
    expect(seen.length).toBeGreaterThan(0);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });

  it("reads resources and renders prompts of the upstream", async () => {
    const c = await client(era);
    const read = await c.readResource({ uri: "time://timezones" });
    expect(read.contents[0]?.uri).toBe("time://timezones");
    const prompt = await c.getPrompt({
      name: "fast-time-compare-times",
      arguments: { timezones: "UTC,Asia/Tokyo" },
    });
    expect(prompt.messages.length).toBeGreaterThan(0);
  });

  it("answers unknown tools and resources with JSON-RPC errors", async () => {
    const c = await client(era);
    await expect(c.callTool({ name: "fast-time-convert-time", arguments: {} })).rejects.toThrow(
      /Unknown tool/,
    );
    await expect(c.readResource({ uri: "time://nope" })).rejects.toThrow();
  });
});

describe("MCP endpoint edges", () => {
  it("serves every enabled item on /mcp", async () => {
    const c = await client("2025", "/mcp");
    const names = (await c.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(["fast-time-convert-time", "everything-echo"]));
  });

  it("refuses requests without a token (401) and unknown virtual servers (404)", async () => {
    const unauthenticated = await fetch(`${base}/servers/${serverId}/mcp`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
    });
    expect(unauthenticated.status).toBe(401);
    const unknown = await fetch(`${base}/servers/nope/mcp`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(unknown.status).toBe(404);
  });

  it("binds a 2025 session to its owner: another principal gets 404", async () => {
    const init = await fetch(`${base}/servers/${serverId}/mcp`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: {
          protocolVersion: "2025-06-18",
          capabilities: {},
          clientInfo: { name: "raw", version: "1" },
        },
      }),
    });
    const session = init.headers.get("mcp-session-id");
    expect(session).toMatch(/^[\x21-\x7e]+$/);
    await init.body?.cancel();
    const bob = await gateway.mintToken("bob@example.com", 5);
    const stolen = await fetch(`${base}/servers/${serverId}/mcp`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${bob}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-session-id": session ?? "",
        "mcp-protocol-version": "2025-06-18",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
    });
    expect(stolen.status).toBe(404);
  });

  it("sees registry changes immediately (a deactivated tool disappears)", async () => {
    const c = await client("2026");
    const tools = await gateway.registry.tools.list({
      includeInactive: false,
      tags: [],
      limit: 500,
      cursor: undefined,
      includePagination: false,
      gatewayId: undefined,
      teamId: undefined,
      visibility: undefined,
    });
    const echo = tools.items.find((t) => t.name === "everything-echo");
    await gateway.registry.tools.setEnabled(echo?.id ?? "", false);
    expect((await c.listTools()).tools.map((t) => t.name)).not.toContain("everything-echo");
    await gateway.registry.tools.setEnabled(echo?.id ?? "", true);
    expect((await c.listTools()).tools.map((t) => t.name)).toContain("everything-echo");
  });
});
