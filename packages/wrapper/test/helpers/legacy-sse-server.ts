import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { SSEServerTransport } from "@modelcontextprotocol/sdk/server/sse.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";

/** A server that speaks only the 2024-11-05 HTTP+SSE transport. */
export interface LegacySseServer {
  /** The SSE URL (GET opens the stream; a POST here answers 405, as old servers do). */
  readonly url: string;
  /** How many SSE streams (sessions) were opened so far. */
  sessionsOpened(): number;
  /** Ends every stream and forgets every session, as a restart does. */
  dropSessions(): void;
  close(): Promise<void>;
}

/** Starts an old-style MCP server (SDK v1 `SSEServerTransport`) with `echo` and `ask_llm` tools. */
export async function startLegacySseServer(): Promise<LegacySseServer> {
  const sessions = new Map<string, { transport: SSEServerTransport; res: ServerResponse }>();
  let opened = 0;

  const http = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (req.method === "GET" && url.pathname === "/sse") {
      const transport = new SSEServerTransport("/messages", res);
      sessions.set(transport.sessionId, { transport, res });
      opened += 1;
      res.on("close", () => sessions.delete(transport.sessionId));
      void createLegacyServer().connect(transport);
      return;
    }
    if (req.method === "POST" && url.pathname === "/messages") {
      const session = sessions.get(url.searchParams.get("sessionId") ?? "");
      if (!session) {
        res.writeHead(404).end("unknown session");
        return;
      }
      void session.transport.handlePostMessage(req, res);
      return;
    }
    res.writeHead(405, { allow: "GET" }).end();
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/sse`,
    sessionsOpened: () => opened,
    dropSessions() {
      for (const { res } of sessions.values()) res.destroy();
      sessions.clear();
    },
    async close() {
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeAllConnections();
      await closed;
    },
  };
}

function createLegacyServer(): Server {
  const server = new Server({ name: "legacy-sse", version: "1.0.0" }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: [
      {
        name: "echo",
        inputSchema: { type: "object", properties: { message: { type: "string" } } },
      },
      { name: "ask_llm", inputSchema: { type: "object", properties: {} } },
    ],
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    if (request.params.name === "ask_llm") {
      const answer = await server.createMessage({
        messages: [{ role: "user", content: { type: "text", text: "hi from SSE" } }],
        maxTokens: 10,
      });
      const text = answer.content.type === "text" ? answer.content.text : "?";
      return { content: [{ type: "text", text: `LLM said: ${text}` }] };
    }
    const message = String(request.params.arguments?.message ?? "");
    return { content: [{ type: "text", text: message }] };
  });
  return server;
}
