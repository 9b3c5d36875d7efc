import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import {
  Client,
  type JSONRPCMessage,
  PROTOCOL_VERSION_META_KEY,
  SdkError,
  SdkErrorCode,
} from "@modelcontextprotocol/client";
import {
  createMcpHandler,
  McpServer,
  WebStandardStreamableHTTPServerTransport,
} from "@modelcontextprotocol/server";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { LeanHttpClientTransport } from "./lean-http-client-transport.js";
import { httpStatusOf } from "./to-upstream-error.js";

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void | Promise<void>;

interface Seen {
  readonly method: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
}

const servers: Server[] = [];
const transports: LeanHttpClientTransport[] = [];
const clients: Client[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(transports.splice(0).map((t) => t.close()));
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A raw node:http server on loopback that records each request (method, headers, body). */
async function rawServer(handler: Handler): Promise<{ url: URL; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => {
      seen.push({ method: req.method ?? "", headers: req.headers, body });
      void handler(req, res, body);
    });
  });
  return { url: await listen(server), seen };
}

async function listen(server: Server): Promise<URL> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`);
}

function echoServer(): McpServer {
  const server = new McpServer(
    { name: "echo-upstream", version: "1.0.0" },
    { capabilities: { logging: {} } },
  );
  server.registerTool("echo", { inputSchema: z.object({ text: z.string() }) }, async ({ text }, ctx) => {
    await ctx.mcpReq.notify({ method: "notifications/message", params: { level: "info", data: "echoing" } });
    return { content: [{ type: "text", text }] };
  });
  return server;
}

/** An SDK v2 server with one 2025 session, answering SSE (or JSON with `enableJsonResponse`). */
async function sessionfulServer(enableJsonResponse: boolean): Promise<{ url: URL; seen: Seen[] }> {
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: () => randomUUID(),
    enableJsonResponse,
  });
  await echoServer().connect(transport);
  const seen: Seen[] = [];
  const listener = getRequestListener((request) => {
    seen.push({ method: request.method, headers: Object.fromEntries(request.headers), body: "" });
    return transport.handleRequest(request);
  });
  return { url: await listen(createServer(listener)), seen };
}

function lean(url: URL, headers?: Record<string, string>): LeanHttpClientTransport {
  const transport = new LeanHttpClientTransport(url, headers ? { headers } : {});
  transports.push(transport);
  return transport;
}

async function connect(
  transport: LeanHttpClientTransport,
  mode: "auto" | "legacy" = "auto",
): Promise<Client> {
  const client = new Client({ name: "test", version: "1.0.0" }, { versionNegotiation: { mode } });
  clients.push(client);
  await client.connect(transport);
  return client;
}

/** Collects what a started transport delivers. */
function collect(transport: LeanHttpClientTransport): { messages: JSONRPCMessage[]; errors: Error[] } {
  const messages: JSONRPCMessage[] = [];
  const errors: Error[] = [];
  transport.onmessage = (m) => messages.push(m);
  transport.onerror = (e) => errors.push(e);
  return { messages, errors };
}

function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = (): void => {
      if (check()) resolve();
      else if (Date.now() > deadline) reject(new Error("condition not met in time"));
      else setTimeout(poll, 5);
    };
    poll();
  });
}

const request = (
  id: number,
  method = "tools/call",
  params: Record<string, unknown> = {},
): JSONRPCMessage => ({
  jsonrpc: "2.0",
  id,
  method,
  params,
});

describe("LeanHttpClientTransport with SDK v2 servers", () => {
  it("opens a 2025 session over SSE, calls a tool with its notifications, and ends it with DELETE", async () => {
    const upstream = await sessionfulServer(false);
    const transport = lean(upstream.url, { Authorization: "Bearer t" });
    const client = await connect(transport);
    expect(client.getProtocolEra()).toBe("legacy");
    expect(transport.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    const logs: unknown[] = [];
    client.setNotificationHandler("notifications/message", (n) => {
      logs.push(n.params.data);
    });
    const result = await client.callTool({ name: "echo", arguments: { text: "hi" } });
    expect(result.content).toEqual([{ type: "text", text: "hi" }]);
    expect(logs).toEqual(["echoing"]);
    const call = upstream.seen.at(-1);
    expect(call?.headers["mcp-session-id"]).toBe(transport.sessionId);
    expect(call?.headers["mcp-protocol-version"]).toBe(transport.protocolVersion);
    expect(call?.headers.authorization).toBe("Bearer t");
    await transport.terminateSession();
    expect(transport.sessionId).toBeUndefined();
    expect(upstream.seen.some((s) => s.method === "DELETE")).toBe(true);
  });

  it("takes plain JSON replies from a server with enableJsonResponse", async () => {
    const upstream = await sessionfulServer(true);
    const client = await connect(lean(upstream.url), "legacy");
    const result = await client.callTool({ name: "echo", arguments: { text: "json" } });
    expect(result.content).toEqual([{ type: "text", text: "json" }]);
  });

  it("negotiates 2026-07-28 and sends the body-derived headers", async () => {
    const seen: Headers[] = [];
    const handler = createMcpHandler(() => echoServer());
    const listener = getRequestListener((req) => {
      seen.push(req.headers);
      return handler.fetch(req);
    });
    const url = await listen(createServer(listener));
    const transport = lean(url);
    const client = await connect(transport);
    expect(client.getProtocolEra()).toBe("modern");
    const result = await client.callTool({ name: "echo", arguments: { text: "modern" } });
    expect(result.content).toEqual([{ type: "text", text: "modern" }]);
    const call = seen.at(-1);
    expect(call?.get("mcp-method")).toBe("tools/call");
    expect(call?.get("mcp-name")).toBe("echo");
    expect(call?.get("mcp-protocol-version")).toBe("2026-07-28");
    expect(call?.get("mcp-session-id")).toBeNull();
    expect(transport.sessionId).toBeUndefined();
  });
});

describe("LeanHttpClientTransport edge cases on a raw server", () => {
  it("captures the session id and reports a 404 for a gone session with its status", async () => {
    const upstream = await rawServer((_req, res, body) => {
      const message = JSON.parse(body) as { id: number; method: string };
      if (message.method === "initialize") {
        res.writeHead(200, { "content-type": "application/json", "mcp-session-id": "s-1" });
        res.end(JSON.stringify({ jsonrpc: "2.0", id: message.id, result: {} }));
      } else {
        res.writeHead(404, { "content-type": "application/json" });
        res.end('{"jsonrpc":"2.0","error":{"code":-32001,"message":"Session not found"},"id":null}');
      }
    });
    const transport = lean(upstream.url);
    const { messages, errors } = collect(transport);
    await transport.start();
    await transport.send(request(1, "initialize", { protocolVersion: "2025-11-25" }));
    expect(transport.sessionId).toBe("s-1");
    expect(messages).toEqual([{ jsonrpc: "2.0", id: 1, result: {} }]);
    const failure = await transport.send(request(2)).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(httpStatusOf(failure)).toBe(404);
    expect(errors).toHaveLength(1);
    expect(upstream.seen[1]?.headers["mcp-session-id"]).toBe("s-1");
    expect(upstream.seen[0]?.headers["mcp-session-id"]).toBeUndefined();
  });

  it("accepts a 202 for a notification and takes a 405 on the GET stream as no stream", async () => {
    const upstream = await rawServer((req, res) => {
      res.writeHead(req.method === "GET" ? 405 : 202);
      res.end();
    });
    const transport = lean(upstream.url);
    const { messages, errors } = collect(transport);
    await transport.start();
    await transport.send({ jsonrpc: "2.0", method: "notifications/initialized" });
    await waitFor(() => upstream.seen.length === 2);
    expect(upstream.seen.map((s) => s.method)).toEqual(["POST", "GET"]);
    expect(upstream.seen[1]?.headers.accept).toBe("text/event-stream");
    expect(messages).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("parses SSE split across writes and multi-line data, and reports a malformed event", async () => {
    const reply = '{"jsonrpc":"2.0","id":3,\n"result":{"text":"ünï"}}';
    const stream = `data: not json\n\n: comment\r\nevent: message\r\n${reply
      .split("\n")
      .map((line) => `data: ${line}\r\n`)
      .join("")}\r\n`;
    const upstream = await rawServer(async (_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      const bytes = Buffer.from(stream);
      for (let i = 0; i < bytes.length; i += 3) {
        res.write(bytes.subarray(i, i + 3));
        await new Promise((resolve) => setImmediate(resolve));
      }
      res.end();
    });
    const transport = lean(upstream.url);
    const { messages, errors } = collect(transport);
    await transport.start();
    let ended = false;
    await transport.send(request(3), { onRequestStreamEnd: () => (ended = true) });
    await waitFor(() => ended);
    expect(messages).toEqual([{ jsonrpc: "2.0", id: 3, result: { text: "ünï" } }]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(SyntaxError);
  });

  it("resumes a stream that ended before its reply with GET and Last-Event-ID", async () => {
    const upstream = await rawServer((req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      if (req.method === "POST") res.end("retry: 1\nid: e-1\ndata: \n\n");
      else
        res.end(`id: e-2\ndata: ${JSON.stringify({ jsonrpc: "2.0", id: 4, result: { resumed: true } })}\n\n`);
    });
    const transport = lean(upstream.url);
    const { messages } = collect(transport);
    const tokens: string[] = [];
    await transport.start();
    await transport.send(request(4), { onresumptiontoken: (t) => tokens.push(t) });
    await waitFor(() => messages.length === 1);
    expect(messages[0]).toEqual({ jsonrpc: "2.0", id: 4, result: { resumed: true } });
    expect(upstream.seen[1]?.method).toBe("GET");
    expect(upstream.seen[1]?.headers["last-event-id"]).toBe("e-1");
    expect(tokens).toEqual(["e-1", "e-2"]);
  });

  it("stops reading when the request signal aborts, without an error or a stream end", async () => {
    let closed = false;
    const upstream = await rawServer((req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(
        `data: ${JSON.stringify({ jsonrpc: "2.0", method: "notifications/progress", params: {} })}\n\n`,
      );
      req.socket.once("close", () => (closed = true));
    });
    const transport = lean(upstream.url);
    const { messages, errors } = collect(transport);
    await transport.start();
    const abort = new AbortController();
    let ended = false;
    await transport.send(request(5), {
      requestSignal: abort.signal,
      onRequestStreamEnd: () => (ended = true),
    });
    await waitFor(() => messages.length === 1);
    abort.abort();
    await waitFor(() => closed);
    expect(ended).toBe(false);
    expect(errors).toEqual([]);
  });

  it("delivers a 2026 request's 400 JSON-RPC error as its reply, and sends an encoded Mcp-Name", async () => {
    const upstream = await rawServer((_req, res, body) => {
      const { id } = JSON.parse(body) as { id: number };
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ jsonrpc: "2.0", id, error: { code: -32020, message: "header mismatch" } }));
    });
    const transport = lean(upstream.url);
    const { messages, errors } = collect(transport);
    await transport.start();
    const params = { name: "wéather", _meta: { [PROTOCOL_VERSION_META_KEY]: "2026-07-28" } };
    await transport.send(request(6, "tools/call", params), {
      headers: { "Mcp-Session-Id": "x", "X-Extra": "1" },
    });
    expect(messages).toEqual([
      { jsonrpc: "2.0", id: 6, error: { code: -32020, message: "header mismatch" } },
    ]);
    expect(errors).toEqual([]);
    const headers = upstream.seen[0]?.headers;
    expect(headers?.["mcp-name"]).toBe(`=?base64?${Buffer.from("wéather").toString("base64")}?=`);
    expect(headers?.["mcp-method"]).toBe("tools/call");
    expect(headers?.["mcp-session-id"]).toBeUndefined();
    expect(headers?.["x-extra"]).toBe("1");
  });

  it("refuses a reply that is neither JSON nor SSE", async () => {
    const upstream = await rawServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html></html>");
    });
    const transport = lean(upstream.url);
    const { errors } = collect(transport);
    await transport.start();
    const failure = await transport.send(request(7)).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(SdkError);
    expect((failure as SdkError).code).toBe(SdkErrorCode.ClientHttpUnexpectedContent);
    expect(errors).toEqual([failure]);
  });

  it("fires onclose when closed and fails later sends", async () => {
    const upstream = await rawServer((_req, res) => {
      res.writeHead(202);
      res.end();
    });
    const transport = lean(upstream.url);
    collect(transport);
    let closes = 0;
    transport.onclose = () => closes++;
    await transport.start();
    await transport.close();
    expect(closes).toBe(1);
    await expect(transport.send({ jsonrpc: "2.0", method: "notifications/initialized" })).rejects.toThrow();
    expect(upstream.seen).toEqual([]);
  });
});
