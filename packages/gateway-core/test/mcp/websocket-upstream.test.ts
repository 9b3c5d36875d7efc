import { randomUUID } from "node:crypto";
import { stopAllProcesses } from "@contextforge/testing";
import type { Client } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGateway, type Gateway, loadSettings } from "../../src/index.js";
import { eventually, pidsWith } from "../support/stdio-processes.js";
import { startWebSocketUpstream, type WebSocketUpstream } from "../upstream/websocket-upstream-process.js";
import { type ClientEra, connectClient } from "./mcp-client.js";

const marker = `cf-ws-upstream-${randomUUID()}`;
const SECRET = "ws-upstream-test-secret-ws-upstream-test";
let upstream: WebSocketUpstream;
let gateway: Gateway;
let base: string;
let token: string;
let serverId: string;
let registered: { id: string; transport: string; protocolVersion: string };
let stopped = false;
const clients: Client[] = [];

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await response.json()) as T;
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

beforeAll(async () => {
  upstream = await startWebSocketUpstream(marker);
  gateway = createGateway({
    settings: loadSettings({
      PORT: "0",
      LOG_LEVEL: "silent",
      DATABASE_URL: "sqlite:///:memory:",
      JWT_SECRET_KEY: SECRET,
      AUTH_ENCRYPTION_SECRET: SECRET,
    }),
  });
  base = (await gateway.start()).url;
  token = await gateway.mintToken("admin@example.com", 30);
  registered = await api("POST", "/gateways", { name: "ws-everything", url: upstream.url, transport: "WS" });
  const tools = await api<{ id: string; originalName: string }[]>(
    "GET",
    `/tools?gateway_id=${registered.id}`,
  );
  const pick = (name: string) => tools.find((tool) => tool.originalName === name)?.id;
  const server = await api<{ id: string }>("POST", "/servers", {
    server: {
      name: "over-websocket",
      associated_tools: [pick("echo"), pick("slow"), pick("test_sampling")],
    },
  });
  serverId = server.id;
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  if (!stopped) await gateway?.stop();
  await stopAllProcesses();
});

async function client(era: ClientEra, capabilities: Record<string, unknown> = {}): Promise<Client> {
  const c = await connectClient(`${base}/servers/${serverId}/mcp`, token, era, capabilities);
  clients.push(c);
  return c;
}

const textOf = (result: { content?: unknown }): string =>
  (result.content as { text?: string }[] | undefined)?.[0]?.text ?? "";

describe("a WebSocket upstream (mcptranslate --expose-ws), through /servers/{id}/mcp", () => {
  it("was registered as WEBSOCKET and spoken to with the 2025 initialize handshake", () => {
    expect(registered.transport).toBe("WEBSOCKET");
    expect(registered.protocolVersion).toMatch(/^2025-/);
  });

  describe.each(["2025", "2026"] as const)("%s client", (era) => {
    it("lists and calls the upstream's tools", async () => {
      const c = await client(era);
      const names = (await c.listTools()).tools.map((t) => t.name).sort();
      expect(names).toEqual(["ws-everything-echo", "ws-everything-slow", "ws-everything-test-sampling"]);
      const echo = await c.callTool({
        name: "ws-everything-echo",
        arguments: { message: `over ws, ${era}` },
      });
      expect(echo.content).toEqual([{ type: "text", text: `over ws, ${era}` }]);
    });

    it("relays progress notifications in order, before the result", async () => {
      const c = await client(era);
      const seen: number[] = [];
      const result = await c.callTool(
        { name: "ws-everything-slow", arguments: { steps: 4, stepMs: 20 } },
        { onprogress: (p) => seen.push(p.progress) },
      );
      expect(textOf(result)).toBe("completed 4 steps");
      expect(seen).toEqual([1, 2, 3, 4]);
    });

    it("relays a sampling request of the upstream to the client and its answer back", async () => {
      const c = await client(era, { sampling: {} });
      const prompts: string[] = [];
      c.setRequestHandler("sampling/createMessage", async (request) => {
        const content = request.params.messages[0]?.content;
        prompts.push(content && !Array.isArray(content) && content.type === "text" ? content.text : "?");
        return { role: "assistant", model: "test-model", content: { type: "text", text: `Paris (${era})` } };
      });
      const result = await c.callTool({
        name: "ws-everything-test-sampling",
        arguments: { prompt: "Capital of France?" },
      });
      expect(textOf(result)).toBe(`LLM response: Paris (${era})`);
      expect(prompts).toEqual(["Capital of France?"]);
    });
  });

  it("heals after the upstream process is killed and restarted on the same port", async () => {
    const c = await client("2025");
    const call = (message: string) => c.callTool({ name: "ws-everything-echo", arguments: { message } });
    expect(textOf(await call("before"))).toBe("before");

    await upstream.kill();
    // While it is down, a call fails (after one retry on a fresh connection) instead of hanging.
    const down = await call("while down").then(
      (result) => (result.isError ? textOf(result) : "answered"),
      (error: unknown) => String(error),
    );
    expect(down).toMatch(/ws:\/\/127\.0\.0\.1:\d+\/ws/);
    expect(down).not.toBe("answered");

    await upstream.start();
    expect(textOf(await call("after restart"))).toBe("after restart");
    expect(textOf(await call("and again"))).toBe("and again");
  });

  it("leaves no process behind once the gateway and the upstream stop", async () => {
    await Promise.allSettled(clients.splice(0).map((c) => c.close()));
    await gateway.stop();
    stopped = true;
    await stopAllProcesses();
    expect(await eventually(() => pidsWith(marker).length === 0, 10_000)).toBe(true);
  });
});
