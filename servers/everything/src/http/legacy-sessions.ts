import { randomUUID } from "node:crypto";
import { type McpServer, WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/server";
import { BoundedEventStore } from "./bounded-event-store.js";

interface Session {
  readonly server: McpServer;
  readonly transport: WebStandardStreamableHTTPServerTransport;
}

function jsonRpcError(status: number, code: number, message: string): Response {
  return Response.json({ jsonrpc: "2.0", error: { code, message }, id: null }, { status });
}

/**
 * Serves the 2025-era (2025-03-26 to 2025-11-25) streamable HTTP wire with real sessions: one
 * server instance and transport per `Mcp-Session-Id`, so server-to-client requests (sampling,
 * elicitation), GET streams, resumption and per-session subscriptions and log levels work.
 * Sessions end on DELETE; past `maxSessions` the oldest is closed.
 */
export class LegacySessions {
  readonly #sessions = new Map<string, Session>();
  readonly #createServer: () => McpServer;
  readonly #maxSessions: number;

  constructor(createServer: () => McpServer, maxSessions = 10_000) {
    this.#createServer = createServer;
    this.#maxSessions = maxSessions;
  }

  /** The number of open sessions. */
  get size(): number {
    return this.#sessions.size;
  }

  /** Serves one HTTP request of the 2025 wire. */
  async fetch(request: Request): Promise<Response> {
    const sessionId = request.headers.get("mcp-session-id");
    if (sessionId !== null) {
      const session = this.#sessions.get(sessionId);
      return session
        ? session.transport.handleRequest(request)
        : jsonRpcError(404, -32001, "Session not found");
    }
    if (request.method !== "POST")
      return jsonRpcError(400, -32000, "Bad Request: Mcp-Session-Id header is required");
    return this.#open(request);
  }

  /** Closes every session. */
  async close(): Promise<void> {
    const sessions = [...this.#sessions.values()];
    this.#sessions.clear();
    await Promise.allSettled(sessions.map((session) => session.server.close()));
  }

  async #open(request: Request): Promise<Response> {
    const server = this.#createServer();
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      eventStore: new BoundedEventStore(),
      onsessioninitialized: (id) => {
        this.#sessions.set(id, { server, transport });
        this.#evictOldest();
      },
      onsessionclosed: (id) => {
        this.#sessions.delete(id);
      },
    });
    await server.connect(transport);
    const previousOnClose = server.server.onclose;
    server.server.onclose = () => {
      if (transport.sessionId !== undefined) this.#sessions.delete(transport.sessionId);
      previousOnClose?.();
    };
    // The transport rejects anything but `initialize` here; such a request opens no session.
    const response = await transport.handleRequest(request);
    if (transport.sessionId === undefined) await server.close();
    return response;
  }

  #evictOldest(): void {
    while (this.#sessions.size > this.#maxSessions) {
      const [id, session] = this.#sessions.entries().next().value ?? [];
      if (id === undefined || session === undefined) return;
      this.#sessions.delete(id);
      void session.server.close();
    }
  }
}
