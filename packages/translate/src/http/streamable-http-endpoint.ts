import type { IncomingMessage, ServerResponse } from "node:http";
import { NodeStreamableHTTPServerTransport } from "@modelcontextprotocol/node";
import type { JSONRPCMessage } from "@modelcontextprotocol/server";
import type { TranslateLogger } from "../logger.js";
import type { ChildContext } from "../relay/child-channel.js";
import { isJsonRpcMessage, isResponse, type JsonRpcId, type JsonRpcMessage } from "../relay/json-rpc.js";
import type { RelaySession, SessionRegistry } from "../sessions/session-registry.js";
import { headerOf, readJsonBody, sendJsonRpcError, sendOpenError } from "./http-responses.js";

/** Options of {@link StreamableHttpEndpoint}. */
export interface StreamableHttpEndpointOptions {
  readonly sessions: SessionRegistry;
  /** Answer requests with one JSON body instead of an SSE stream. */
  readonly jsonResponse: boolean;
  /** SSE keep-alive comment interval; 0 disables. */
  readonly keepAliveMs: number;
  /** The child context of the request opening a session (`--header-to-env`). */
  readonly contextOf: (req: IncomingMessage) => ChildContext;
  readonly log: TranslateLogger;
}

/**
 * Streamable HTTP (2025 sessions) on one path. The SDK's transport keeps the wire rules (session
 * header, 202 for notifications and responses, an SSE stream or JSON per request, GET stream,
 * DELETE); this class only opens a relay session for each `initialize` and pipes the transport to
 * the session's child.
 */
export class StreamableHttpEndpoint {
  readonly #options: StreamableHttpEndpointOptions;
  readonly #transports = new Map<string, NodeStreamableHTTPServerTransport>();

  constructor(options: StreamableHttpEndpointOptions) {
    this.#options = options;
  }

  /** Serves one request to the endpoint path. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const sessionId = headerOf(req, "mcp-session-id");
    if (sessionId !== undefined) {
      const transport = this.#transports.get(sessionId);
      if (!transport) {
        sendJsonRpcError(res, 404, -32001, "Session not found");
        return;
      }
      await transport.handleRequest(req, res);
      return;
    }
    if (req.method !== "POST") {
      sendJsonRpcError(res, 400, -32000, "Bad Request: Mcp-Session-Id header is required");
      return;
    }
    const body = await readJsonBody(req);
    if (!body.ok) {
      sendJsonRpcError(res, body.status, body.code, body.message);
      return;
    }
    // Only an initialize opens a session (and starts a child); anything else is refused first.
    if (!isJsonRpcMessage(body.value) || body.value.method !== "initialize") {
      sendJsonRpcError(res, 400, -32000, "Bad Request: Mcp-Session-Id header is required");
      return;
    }
    await this.#openSession(req, res, body.value);
  }

  async #openSession(req: IncomingMessage, res: ServerResponse, initialize: JsonRpcMessage): Promise<void> {
    let session: RelaySession;
    const transport = new NodeStreamableHTTPServerTransport({
      sessionIdGenerator: () => session.id,
      enableJsonResponse: this.#options.jsonResponse,
      keepAliveMs: this.#options.keepAliveMs,
    });
    try {
      session = await this.#options.sessions.open(
        "streamable-http",
        {
          deliver: (message, related) => deliverTo(transport, message, related, this.#options.log),
          end: () => {
            this.#transports.delete(session.id);
            void transport.close();
          },
        },
        this.#options.contextOf(req),
      );
    } catch (error) {
      this.#options.log("warn", `streamable HTTP session refused: ${(error as Error).message}`);
      sendOpenError(res, error);
      return;
    }
    this.#transports.set(session.id, transport);
    transport.onmessage = (message) => session.send(message as unknown as JsonRpcMessage);
    transport.onclose = () => session.end("closed by the client");
    await transport.handleRequest(req, res, initialize);
    if (transport.sessionId === undefined) session.end("the initialize request was refused");
  }
}

/**
 * Sends a child message on a streamable HTTP transport: a response or a message related to a
 * request on that request's stream, anything else on the GET stream.
 */
export function deliverTo(
  transport: NodeStreamableHTTPServerTransport,
  message: JsonRpcMessage,
  related: JsonRpcId | undefined,
  log: TranslateLogger,
): void {
  const response = isResponse(message);
  const wire = message as unknown as JSONRPCMessage;
  const options = related === undefined || response ? undefined : { relatedRequestId: related };
  transport.send(wire, options).catch((error: unknown) => {
    // The request's stream is gone: a notification can still go on the GET stream.
    if (options !== undefined) {
      transport.send(wire).catch(() => {});
      return;
    }
    log("debug", `undeliverable message on streamable HTTP: ${(error as Error).message}`);
  });
}
