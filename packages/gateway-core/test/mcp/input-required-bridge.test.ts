import { randomUUID } from "node:crypto";
import { stopAllProcesses } from "@contextforge/testing";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { CreateMessageResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGateway, type Gateway, loadSettings } from "../../src/index.js";
import {
  closeAllHttpTestServers,
  eventually,
  readJson,
  startHttpTestServer,
} from "../upstream/http-test-server.js";
import { startSampleServer } from "../upstream/sample-server-process.js";

type Json = Record<string, unknown>;

const EVERYTHING = "@contextforge/server-everything";
const CAPABILITIES_KEY = "io.modelcontextprotocol/clientCapabilities";
const ALL_CAPABILITIES = { sampling: {}, elicitation: { form: {} }, roots: {} };

let gateway: Gateway;
let base: string;
let alice: string;
let bob: string;
const tools = new Map<string, string>();
/** What the hand-written 2025 upstream's `ask_and_wait` saw: its sampling outcome, its cancel. */
const upstreamSeen: string[] = [];

/**
 * A 2025-era upstream (v1 SDK, sessionful streamable HTTP) whose `ask_and_wait` asks for sampling
 * and, when that fails, records the error and waits to be cancelled.
 */
async function startAskingUpstream(): Promise<string> {
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const http = await startHttpTestServer(async (req, res) => {
    const body = req.method === "POST" ? await readJson(req) : undefined;
    const id = req.headers["mcp-session-id"];
    const known = typeof id === "string" ? sessions.get(id) : undefined;
    if (known) return known.handleRequest(req, res, body);
    const server = new McpServer({ name: "asking-upstream", version: "1.0.0" });
    server.registerTool("ask_and_wait", {}, async (extra) => {
      try {
        await extra.sendRequest(
          {
            method: "sampling/createMessage",
            params: { messages: [{ role: "user", content: { type: "text", text: "hi" } }], maxTokens: 5 },
          },
          CreateMessageResultSchema,
        );
        return { content: [{ type: "text", text: "answered" }] };
      } catch (error) {
        upstreamSeen.push(`sampling failed: ${(error as Error).message}`);
        if (!extra.signal.aborted)
          await new Promise((resolve) => extra.signal.addEventListener("abort", resolve, { once: true }));
        upstreamSeen.push("cancelled");
        return { content: [{ type: "text", text: "cancelled" }] };
      }
    });
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (sid) => void sessions.set(sid, transport),
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  });
  return `${http.origin}/mcp`;
}

beforeAll(async () => {
  const [legacy, modern, asking] = await Promise.all([
    startSampleServer(EVERYTHING, ["--legacy-only"]),
    startSampleServer(EVERYTHING),
    startAskingUpstream(),
  ]);
  gateway = createGateway({
    settings: loadSettings({
      PORT: "0",
      LOG_LEVEL: "silent",
      DATABASE_URL: "sqlite:///:memory:",
      JWT_SECRET_KEY: "input-required-secret-input-required",
      AUTH_ENCRYPTION_SECRET: "input-required-secret-input-required",
      MCP_INPUT_REQUIRED_TIMEOUT: "1",
    }),
  });
  base = (await gateway.start()).url;
  alice = await gateway.mintToken("alice@example.com", 30);
  bob = await gateway.mintToken("bob@example.com", 30);
  for (const [name, url] of [
    ["legacy", legacy.url],
    ["modern", modern.url],
    ["asking", asking],
  ] as const) {
    await gateway.registry.gateways.create({ name, url, transport: "STREAMABLEHTTP", tags: [] });
  }
  const client = await connect(alice);
  for (const tool of (await client.listTools()).tools) tools.set(tool.name, tool.name);
  await client.close();
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  await stopAllProcesses();
  await closeAllHttpTestServers();
});

/** The exposed name of an upstream's tool (`<gateway>-<tool>`, whatever the separator). */
function tool(gatewayName: string, name: string): string {
  const exposed = name.replaceAll("_", "-");
  const found = [...tools.keys()].find((t) => t.startsWith(gatewayName) && t.endsWith(exposed));
  if (!found) throw new Error(`no tool ${name} of ${gatewayName} in ${[...tools.keys()].join(", ")}`);
  return found;
}

const textOf = (result: Json): string => (result.content as { text?: string }[] | undefined)?.[0]?.text ?? "";

/** A 2026 SDK v2 client that fulfils input_required itself, answering as `who`. */
async function connect(
  token: string,
  capabilities: Json = ALL_CAPABILITIES,
  seen: string[] = [],
): Promise<Client> {
  const client = new Client(
    { name: "mrtr-test", version: "1.0.0" },
    { versionNegotiation: { mode: "auto" }, capabilities },
  );
  if (capabilities.sampling)
    client.setRequestHandler("sampling/createMessage", async (request) => {
      seen.push(`sampling: ${JSON.stringify(request.params.messages[0]?.content)}`);
      return { role: "assistant", model: "test", content: { type: "text", text: "Paris" } };
    });
  if (capabilities.elicitation)
    client.setRequestHandler("elicitation/create", async (request) => {
      seen.push(`elicitation: ${request.params.message}`);
      const message = request.params.message;
      const content = message.includes("color")
        ? { color: "blue" }
        : message.includes("confirm")
          ? { ok: true }
          : { name: "Alice", response: "fine" };
      return { action: "accept", content };
    });
  if (capabilities.roots)
    client.setRequestHandler("roots/list", async () => {
      seen.push("roots");
      return { roots: [{ uri: "file:///work", name: "work" }] };
    });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  return client;
}

/** One raw 2026-07-28 request; resolves with the JSON-RPC response. */
async function rpc(
  token: string,
  method: string,
  params: Json,
  capabilities: Json = ALL_CAPABILITIES,
): Promise<Json> {
  const response = await fetch(`${base}/mcp`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2026-07-28",
      "mcp-method": method,
      ...(typeof params.name === "string" ? { "mcp-name": params.name } : {}),
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: randomUUID(),
      method,
      params: {
        ...params,
        _meta: {
          "io.modelcontextprotocol/protocolVersion": "2026-07-28",
          "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" },
          [CAPABILITIES_KEY]: capabilities,
        },
      },
    }),
  });
  const text = await response.text();
  if (!response.headers.get("content-type")?.includes("text/event-stream")) return JSON.parse(text) as Json;
  const messages = text
    .split("\n")
    .filter((line) => line.startsWith("data:"))
    .map((line) => JSON.parse(line.slice(5)) as Json);
  return messages.find((m) => "result" in m || "error" in m) ?? {};
}

describe("2026 clients answering upstream input requests (input_required bridge)", {
  timeout: 30_000,
}, () => {
  it("bridges a 2025 upstream's sampling request", async () => {
    const seen: string[] = [];
    const client = await connect(alice, ALL_CAPABILITIES, seen);
    const result = await client.callTool({
      name: tool("legacy", "test_sampling"),
      arguments: { prompt: "Capital?" },
    });
    expect(textOf(result)).toBe("LLM response: Paris");
    expect(seen).toEqual(['sampling: {"type":"text","text":"Capital?"}']);
    await client.close();
  });

  it("bridges a 2025 upstream's elicitation request", async () => {
    const client = await connect(alice);
    const result = await client.callTool({
      name: tool("legacy", "test_elicitation"),
      arguments: { message: "How?" },
    });
    expect(textOf(result)).toBe('User response: action=accept, content={"name":"Alice","response":"fine"}');
    await client.close();
  });

  it("bridges a 2026 upstream's rounds: several requests at once, then several rounds", async () => {
    const seen: string[] = [];
    const client = await connect(alice, ALL_CAPABILITIES, seen);
    const multiple = await client.callTool({
      name: tool("modern", "test_input_required_result_multiple_inputs"),
    });
    expect(textOf(multiple)).toBe("All inputs received: name=Alice, greeting=Paris, roots=1");
    expect(seen.sort()).toEqual([
      "elicitation: What is your name?",
      "roots",
      expect.stringMatching(/^sampling/),
    ]);
    const rounds = await client.callTool({ name: tool("modern", "test_input_required_result_multi_round") });
    expect(textOf(rounds)).toBe("Done: Alice likes blue");
    await client.close();
  });

  it("answers input_required with one round holding every request, then the result", async () => {
    const name = tool("modern", "test_input_required_result_multiple_inputs");
    const first = (await rpc(alice, "tools/call", { name, arguments: {} })).result as Json;
    expect(first.resultType).toBe("input_required");
    const requests = first.inputRequests as Record<string, { method: string }>;
    // A 2026 upstream's own keys are kept.
    expect(Object.keys(requests).sort()).toEqual(["client_roots", "greeting", "user_name"]);
    expect(
      Object.values(requests)
        .map((r) => r.method)
        .sort(),
    ).toEqual(["elicitation/create", "roots/list", "sampling/createMessage"]);
    const answers: Record<string, Json> = {
      "elicitation/create": { action: "accept", content: { name: "Bo" } },
      "roots/list": { roots: [] },
      "sampling/createMessage": { role: "assistant", model: "m", content: { type: "text", text: "Hey" } },
    };
    const inputResponses = Object.fromEntries(
      Object.entries(requests).map(([key, request]) => [key, answers[request.method]]),
    );
    const retry = await rpc(alice, "tools/call", {
      name,
      arguments: {},
      inputResponses,
      requestState: first.requestState,
    });
    expect(textOf(retry.result as Json)).toBe("All inputs received: name=Bo, greeting=Hey, roots=0");
  });

  it("asks only for what the request declared; the upstream gets an error for the rest", async () => {
    const client = await connect(alice, { sampling: {} });
    const result = await client.callTool({ name: tool("legacy", "test_elicitation"), arguments: {} });
    expect(textOf(result)).toMatch(/^Elicitation not supported or error: .*elicitation/);
    const capabilities = await client.callTool({
      name: tool("modern", "test_input_required_result_capabilities"),
    });
    expect(textOf(capabilities)).toBe("Capabilities respected");
    await client.close();
  });

  it("refuses a tampered state, another principal's state and changed params with -32602", async () => {
    const name = tool("legacy", "test_sampling");
    const first = (await rpc(alice, "tools/call", { name, arguments: { prompt: "p" } })).result as Json;
    const [key] = Object.keys(first.inputRequests as Json);
    const inputResponses = {
      [key ?? ""]: { role: "assistant", model: "m", content: { type: "text", text: "x" } },
    };
    const state = String(first.requestState);
    const retry = (token: string, requestState: string, prompt = "p") =>
      rpc(token, "tools/call", { name, arguments: { prompt }, inputResponses, requestState });

    expect((await retry(alice, `${state}-TAMPERED`)).error).toMatchObject({ code: -32602 });
    expect((await retry(bob, state)).error).toMatchObject({ code: -32602 });
    expect((await retry(alice, state, "other")).error).toMatchObject({ code: -32602 });
    // The genuine retry still resumes the call.
    expect(textOf((await retry(alice, state)).result as Json)).toBe("LLM response: x");
    // A state is good for one retry only.
    expect((await retry(alice, state)).error).toMatchObject({ code: -32602 });
  });

  it("errors the upstream request and cancels the call when no retry comes in time", async () => {
    const first = (await rpc(alice, "tools/call", { name: tool("asking", "ask_and_wait"), arguments: {} }))
      .result as Json;
    expect(first.resultType).toBe("input_required");
    await eventually(() => upstreamSeen.includes("cancelled"), 5_000);
    expect(upstreamSeen[0]).toMatch(/^sampling failed: .*did not answer within 1000 ms/);
    const [key] = Object.keys(first.inputRequests as Json);
    const late = await rpc(alice, "tools/call", {
      name: tool("asking", "ask_and_wait"),
      arguments: {},
      inputResponses: {
        [key ?? ""]: { role: "assistant", model: "m", content: { type: "text", text: "x" } },
      },
      requestState: first.requestState,
    });
    expect(late.error).toMatchObject({ code: -32602 });
  });
});
