import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { SSEServerTransport } from "@modelcontextprotocol/sdk/server/sse.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { CreateMessageResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { type HttpTestServer, readJson, startHttpTestServer } from "./http-test-server.js";

/**
 * 2025-era upstreams built on the v1 SDK (`@modelcontextprotocol/sdk`, which stops at 2025-11-25):
 * the legacy HTTP+SSE transport and sessionful streamable HTTP. Each counts its sessions so a test
 * can see that discovery ends what it opens.
 */
export interface LegacyTestServer {
  readonly url: string;
  readonly http: HttpTestServer;
  /** `Authorization` headers received, in order. */
  readonly authorizations: readonly (string | undefined)[];
  sessionsOpened(): number;
  sessionsEnded(): number;
}

export interface LegacyTestServerOptions {
  /** When set, any request without exactly this `Authorization` header gets HTTP 401. */
  readonly requiredAuthorization?: string;
  /** Adds the tool `ask_llm`, which sends `sampling/createMessage` and returns the answer's text. */
  readonly withSamplingTool?: boolean;
}

function createLegacyMcpServer(options: LegacyTestServerOptions = {}): McpServer {
  const server = new McpServer(
    { name: "legacy-upstream", version: "1.2.3" },
    { instructions: "A 2025-era test upstream." },
  );
  server.registerTool(
    "echo",
    { title: "Echo", description: "Echoes its input", inputSchema: { text: z.string() } },
    async ({ text }) => ({ content: [{ type: "text", text }] }),
  );
  if (options.withSamplingTool) {
    server.registerTool("ask_llm", { inputSchema: { prompt: z.string() } }, async ({ prompt }, extra) => {
      const answer = await extra.sendRequest(
        {
          method: "sampling/createMessage",
          params: { messages: [{ role: "user", content: { type: "text", text: prompt } }], maxTokens: 10 },
        },
        CreateMessageResultSchema,
      );
      const text = answer.content.type === "text" ? answer.content.text : "(no text)";
      return { content: [{ type: "text", text: `LLM said: ${text}` }] };
    });
  }
  server.registerResource("readme", "doc://readme", { mimeType: "text/plain" }, async (uri) => ({
    contents: [{ uri: uri.href, text: "hello" }],
  }));
  server.registerPrompt(
    "greet",
    { description: "Greets someone", argsSchema: { name: z.string() } },
    ({ name }) => ({
      messages: [{ role: "user", content: { type: "text", text: `Hello ${name}` } }],
    }),
  );
  return server;
}

type Route = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

async function startGated(options: LegacyTestServerOptions, route: Route, path: string) {
  const authorizations: (string | undefined)[] = [];
  const http = await startHttpTestServer(async (req, res) => {
    authorizations.push(req.headers.authorization);
    const required = options.requiredAuthorization;
    if (required !== undefined && req.headers.authorization !== required) {
      res.writeHead(401, { "www-authenticate": 'Bearer realm="test"', "content-type": "application/json" });
      res.end(JSON.stringify({ error: "invalid_token" }));
      return;
    }
    await route(req, res);
  });
  return { http, authorizations, url: `${http.origin}${path}` };
}

/** An upstream speaking the deprecated HTTP+SSE transport: `GET /sse`, `POST /messages`. */
export async function startLegacySseServer(options: LegacyTestServerOptions = {}): Promise<LegacyTestServer> {
  const sessions = new Map<string, SSEServerTransport>();
  let opened = 0;
  let ended = 0;
  const started = await startGated(
    options,
    async (req, res) => {
      const url = new URL(req.url ?? "/", "http://localhost");
      if (req.method === "GET" && url.pathname === "/sse") {
        const transport = new SSEServerTransport("/messages", res);
        sessions.set(transport.sessionId, transport);
        opened++;
        res.once("close", () => {
          ended++;
          sessions.delete(transport.sessionId);
        });
        await createLegacyMcpServer(options).connect(transport);
        return;
      }
      const transport = sessions.get(url.searchParams.get("sessionId") ?? "");
      if (req.method === "POST" && url.pathname === "/messages" && transport) {
        await transport.handlePostMessage(req, res);
        return;
      }
      res.writeHead(404).end();
    },
    "/sse",
  );
  return { ...started, sessionsOpened: () => opened, sessionsEnded: () => ended };
}

/** A 2025-only upstream with real `Mcp-Session-Id` sessions at `/mcp`, ended by DELETE. */
export async function startSessionfulHttpServer(
  options: LegacyTestServerOptions = {},
): Promise<LegacyTestServer> {
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  let opened = 0;
  let ended = 0;
  const started = await startGated(
    options,
    async (req, res) => {
      const body = req.method === "POST" ? await readJson(req) : undefined;
      const sessionId = req.headers["mcp-session-id"];
      if (typeof sessionId === "string") {
        const transport = sessions.get(sessionId);
        if (transport) await transport.handleRequest(req, res, body);
        else res.writeHead(404).end();
        return;
      }
      const server = createLegacyMcpServer(options);
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: randomUUID,
        onsessioninitialized: (id) => {
          opened++;
          sessions.set(id, transport);
        },
        onsessionclosed: (id) => {
          ended++;
          sessions.delete(id);
        },
      });
      await server.connect(transport);
      await transport.handleRequest(req, res, body);
      // Anything but `initialize` (such as a 2026 `server/discover` probe) opens no session.
      if (transport.sessionId === undefined) await server.close();
    },
    "/mcp",
  );
  return { ...started, sessionsOpened: () => opened, sessionsEnded: () => ended };
}
