import { type Dispatcher, request } from "undici";
import {
  type JsonRpcMessage,
  McpCallError,
  type McpSession,
  resultOf,
  SESSION_PROTOCOL_VERSION,
  STATELESS_PROTOCOL_VERSION,
} from "./mcp-session.js";
import { parseSseBody } from "./sse-parser.js";

/** Options for {@link StreamableHttpSession}. */
export interface StreamableHttpOptions {
  /** The MCP endpoint, e.g. `http://127.0.0.1:4444/servers/<id>/mcp`. */
  readonly url: string;
  /** `2025`: an `initialize` handshake and `Mcp-Session-Id`; `2026`: stateless 2026-07-28 calls. */
  readonly era: "2025" | "2026";
  /** Added to every request (for example `authorization`). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly dispatcher: Dispatcher;
}

const CLIENT_INFO = { name: "contextforge-bench", version: "0" };

/** The `_meta` envelope every 2026-07-28 request carries instead of a session. */
const STATELESS_META = {
  "io.modelcontextprotocol/protocolVersion": STATELESS_PROTOCOL_VERSION,
  "io.modelcontextprotocol/clientInfo": CLIENT_INFO,
  "io.modelcontextprotocol/clientCapabilities": {},
};

/** The routing header 2026-07-28 requires next to `Mcp-Method` for these methods. */
function routingName(method: string, params: Record<string, unknown>): string | undefined {
  if (method === "tools/call" || method === "prompts/get") return params.name as string;
  if (method === "resources/read") return params.uri as string;
  return undefined;
}

/** A client session on the streamable HTTP transport, answered with JSON or an SSE stream. */
export class StreamableHttpSession implements McpSession {
  readonly #options: StreamableHttpOptions;
  readonly #baseHeaders: Record<string, string>;
  #sessionId: string | undefined;
  #protocolVersion = SESSION_PROTOCOL_VERSION;
  #nextId = 1;

  constructor(options: StreamableHttpOptions) {
    this.#options = options;
    this.#baseHeaders = {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...options.headers,
    };
  }

  async open(): Promise<void> {
    if (this.#options.era === "2026") return;
    const id = this.#nextId++;
    const messages = await this.#post(
      {
        jsonrpc: "2.0",
        id,
        method: "initialize",
        params: { protocolVersion: SESSION_PROTOCOL_VERSION, capabilities: {}, clientInfo: CLIENT_INFO },
      },
      {},
    );
    const result = resultOf(
      messages.find((m) => m.id === id),
      id,
    ) as { protocolVersion?: string };
    this.#protocolVersion = result.protocolVersion ?? SESSION_PROTOCOL_VERSION;
    await this.#post({ jsonrpc: "2.0", method: "notifications/initialized" }, this.#sessionHeaders());
  }

  async request(method: string, params: Record<string, unknown>): Promise<unknown> {
    const id = this.#nextId++;
    if (this.#options.era === "2025") {
      const messages = await this.#post({ jsonrpc: "2.0", id, method, params }, this.#sessionHeaders());
      return resultOf(
        messages.find((m) => m.id === id && m.method === undefined),
        id,
      );
    }
    const headers: Record<string, string> = {
      "mcp-protocol-version": STATELESS_PROTOCOL_VERSION,
      "mcp-method": method,
    };
    const name = routingName(method, params);
    if (name !== undefined) headers["mcp-name"] = name;
    const body = { jsonrpc: "2.0", id, method, params: { ...params, _meta: STATELESS_META } };
    const messages = await this.#post(body, headers);
    return resultOf(
      messages.find((m) => m.id === id && m.method === undefined),
      id,
    );
  }

  async close(): Promise<void> {
    if (this.#sessionId === undefined) return;
    try {
      const response = await request(this.#options.url, {
        method: "DELETE",
        headers: { ...this.#baseHeaders, ...this.#sessionHeaders() },
        dispatcher: this.#options.dispatcher,
      });
      await response.body.dump();
    } catch {
      // The session ends with the server anyway; a failed DELETE changes no figure.
    }
    this.#sessionId = undefined;
  }

  #sessionHeaders(): Record<string, string> {
    return this.#sessionId === undefined
      ? {}
      : { "mcp-session-id": this.#sessionId, "mcp-protocol-version": this.#protocolVersion };
  }

  async #post(message: object, headers: Record<string, string>): Promise<JsonRpcMessage[]> {
    let response: Dispatcher.ResponseData;
    try {
      response = await request(this.#options.url, {
        method: "POST",
        headers: { ...this.#baseHeaders, ...headers },
        body: JSON.stringify(message),
        dispatcher: this.#options.dispatcher,
      });
    } catch (error) {
      throw new McpCallError("transport", `POST failed: ${(error as Error).message}`, { cause: error });
    }
    const sessionId = response.headers["mcp-session-id"];
    if (typeof sessionId === "string") this.#sessionId = sessionId;
    const text = await response.body.text();
    if (response.statusCode === 202) return [];
    if (response.statusCode >= 400)
      throw new McpCallError("transport", `HTTP ${response.statusCode}: ${text.slice(0, 200)}`);
    const type = String(response.headers["content-type"] ?? "");
    if (type.includes("text/event-stream")) {
      return parseSseBody(text)
        .filter((event) => event.event === "message" && event.data !== "")
        .map((event) => JSON.parse(event.data) as JsonRpcMessage);
    }
    const parsed = JSON.parse(text) as JsonRpcMessage | JsonRpcMessage[];
    return Array.isArray(parsed) ? parsed : [parsed];
  }
}
