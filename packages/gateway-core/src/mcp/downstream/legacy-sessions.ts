import { randomUUID } from "node:crypto";
import {
  isJsonContentType,
  type Server,
  WebStandardStreamableHTTPServerTransport,
} from "@modelcontextprotocol/server";

interface Session {
  readonly server: Server;
  readonly transport: WebStandardStreamableHTTPServerTransport;
  /** Who opened it and through which endpoint: another caller or path never reaches it. */
  readonly owner: string;
  readonly scope: string;
  lastUsed: number;
}

function jsonRpcError(status: number, code: number, message: string): Response {
  return Response.json({ jsonrpc: "2.0", error: { code, message }, id: null }, { status });
}

// 2025-06-18 removed JSON-RPC batches; a 2025-03-26 session must still accept them.
const FIRST_VERSION_WITHOUT_BATCHES = "2025-06-18";

/**
 * Reads a POST body that must not be a JSON-RPC batch: a 400 answer, or the parsed body for the
 * transport (so it is parsed once). Other media types go to the transport untouched (its 415).
 */
async function unbatched(
  request: Request,
  refusal: string,
): Promise<Response | { readonly parsedBody: unknown } | undefined> {
  if (request.method !== "POST" || !isJsonContentType(request.headers.get("content-type"))) return undefined;
  let parsedBody: unknown;
  try {
    parsedBody = JSON.parse(await request.text());
  } catch {
    return jsonRpcError(400, -32700, "Parse error: Invalid JSON");
  }
  return Array.isArray(parsedBody)
    ? jsonRpcError(400, -32600, `Invalid Request: ${refusal}`)
    : { parsedBody };
}

/** Options of {@link LegacySessions}. */
export interface LegacySessionsOptions {
  readonly maxSessions: number;
  readonly idleTimeoutMs: number;
}

/**
 * The 2025-era streamable HTTP wire (2025-03-26 to 2025-11-25) with real sessions: one SDK
 * server and transport per `Mcp-Session-Id`, bound to the principal and endpoint that opened
 * it (a session id is never a credential). Missing id on a non-initialize request: 400;
 * unknown, ended or someone else's: 404. Idle sessions are closed; past `maxSessions` the
 * least recently used one is.
 */
export class LegacySessions {
  readonly #sessions = new Map<string, Session>();
  readonly #options: LegacySessionsOptions;
  readonly #sweeper: NodeJS.Timeout;

  constructor(options: LegacySessionsOptions) {
    this.#options = options;
    this.#sweeper = setInterval(() => this.#sweep(), Math.min(options.idleTimeoutMs, 60_000));
    this.#sweeper.unref();
  }

  /** The number of open sessions. */
  get size(): number {
    return this.#sessions.size;
  }

  /** Serves one HTTP request of the 2025 wire for `owner` on endpoint `scope`. */
  async fetch(request: Request, owner: string, scope: string, createServer: () => Server): Promise<Response> {
    const sessionId = request.headers.get("mcp-session-id");
    if (sessionId !== null) {
      const session = this.#sessions.get(sessionId);
      if (!session || session.owner !== owner || session.scope !== scope) {
        return jsonRpcError(404, -32001, "Session not found");
      }
      session.lastUsed = Date.now();
      // The SDK transport accepts batches whatever the session negotiated.
      const negotiated = session.server.getNegotiatedProtocolVersion() ?? "";
      if (negotiated < FIRST_VERSION_WITHOUT_BATCHES) return session.transport.handleRequest(request);
      const body = await unbatched(
        request,
        `protocol version ${negotiated} does not accept JSON-RPC batches`,
      );
      if (body instanceof Response) return body;
      return session.transport.handleRequest(request, body);
    }
    if (request.method !== "POST")
      return jsonRpcError(400, -32000, "Bad Request: Mcp-Session-Id header is required");
    // `initialize` MUST NOT be part of a batch (2025-03-26), and nothing else opens a session.
    const body = await unbatched(request, "initialize must not be part of a JSON-RPC batch");
    if (body instanceof Response) return body;
    return this.#open(request, body, owner, scope, createServer);
  }

  /** Closes every session. */
  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    const sessions = [...this.#sessions.values()];
    this.#sessions.clear();
    await Promise.allSettled(sessions.map((session) => session.server.close()));
  }

  async #open(
    request: Request,
    body: { readonly parsedBody: unknown } | undefined,
    owner: string,
    scope: string,
    createServer: () => Server,
  ): Promise<Response> {
    const server = createServer();
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (id) => {
        this.#sessions.set(id, { server, transport, owner, scope, lastUsed: Date.now() });
        this.#evict();
      },
      onsessionclosed: (id) => {
        this.#sessions.delete(id);
      },
    });
    await server.connect(transport);
    const previous = server.onclose;
    server.onclose = () => {
      if (transport.sessionId !== undefined) this.#sessions.delete(transport.sessionId);
      previous?.();
    };
    // The transport answers anything but `initialize` with an error; that opens no session.
    const response = await transport.handleRequest(request, body);
    if (transport.sessionId === undefined) await server.close();
    return response;
  }

  #evict(): void {
    while (this.#sessions.size > this.#options.maxSessions) {
      let oldest: [string, Session] | undefined;
      for (const entry of this.#sessions)
        if (!oldest || entry[1].lastUsed < oldest[1].lastUsed) oldest = entry;
      if (!oldest) return;
      this.#sessions.delete(oldest[0]);
      void oldest[1].server.close();
    }
  }

  #sweep(): void {
    const cutoff = Date.now() - this.#options.idleTimeoutMs;
    for (const [id, session] of this.#sessions) {
      if (session.lastUsed < cutoff) {
        this.#sessions.delete(id);
        void session.server.close();
      }
    }
  }
}
