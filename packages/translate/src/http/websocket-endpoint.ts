import { type IncomingMessage, STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer } from "ws";
import type { TranslateLogger } from "../logger.js";
import type { ChildContext } from "../relay/child-channel.js";
import { errorResponse, isJsonRpcMessage, type JsonRpcMessage } from "../relay/json-rpc.js";
import type { RelaySession, SessionRegistry } from "../sessions/session-registry.js";
import { httpStatusOf } from "./http-responses.js";

/** Options of {@link WebSocketEndpoint}. */
export interface WebSocketEndpointOptions {
  readonly sessions: SessionRegistry;
  /** Ping interval; 0 disables. */
  readonly keepAliveMs: number;
  /** The child context of the upgrade request (`--header-to-env`). */
  readonly contextOf: (req: IncomingMessage) => ChildContext;
  readonly log: TranslateLogger;
}

/**
 * MCP over WebSocket: one connection is one session, each text frame one JSON-RPC message (or a
 * batch), subprotocol `mcp` when the client asks for it. The child is started before the upgrade
 * completes, so a refused session is a plain HTTP 503.
 */
export class WebSocketEndpoint {
  readonly #options: WebSocketEndpointOptions;
  readonly #server = new WebSocketServer({ noServer: true });

  constructor(options: WebSocketEndpointOptions) {
    this.#options = options;
  }

  /** Handles an HTTP upgrade to the endpoint path. */
  async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    let ws: WebSocket | undefined;
    let session: RelaySession;
    try {
      session = await this.#options.sessions.open(
        "websocket",
        {
          deliver: (message) => {
            if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
          },
          end: (reason) => {
            if (ws) ws.close(1001, truncate(reason));
            else socket.destroy();
          },
        },
        this.#options.contextOf(req),
      );
    } catch (error) {
      this.#options.log("warn", `WebSocket session refused: ${(error as Error).message}`);
      rejectUpgrade(socket, httpStatusOf(error));
      return;
    }
    if (socket.destroyed) {
      session.end("the client went away during the upgrade");
      return;
    }
    this.#server.handleUpgrade(req, socket, head, (connected) => {
      ws = connected;
      this.#attach(connected, session);
    });
  }

  /** Closes the WebSocket server (sessions are ended by the registry). */
  close(): void {
    this.#server.close();
  }

  #attach(ws: WebSocket, session: RelaySession): void {
    let alive = true;
    const ping =
      this.#options.keepAliveMs > 0
        ? setInterval(() => {
            if (!alive) {
              ws.terminate();
              return;
            }
            alive = false;
            ws.ping();
          }, this.#options.keepAliveMs)
        : undefined;
    ping?.unref();
    ws.on("pong", () => {
      alive = true;
    });
    ws.on("message", (data, isBinary) => {
      if (isBinary) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(data.toString());
      } catch {
        ws.send(JSON.stringify(errorResponse(null, -32700, "Parse error: Invalid JSON")));
        return;
      }
      const messages: unknown[] = Array.isArray(parsed) ? parsed : [parsed];
      for (const message of messages) {
        if (isJsonRpcMessage(message)) session.send(message as JsonRpcMessage);
      }
    });
    ws.on("close", () => {
      clearInterval(ping);
      session.end("the WebSocket closed");
    });
    ws.on("error", () => {});
  }
}

/** Answers an upgrade request with a plain HTTP error (JSON-RPC error body) and closes the socket. */
export function rejectUpgrade(socket: Duplex, status: { code: number; message: string }): void {
  const body = JSON.stringify({ jsonrpc: "2.0", error: { code: -32000, message: status.message }, id: null });
  socket.end(
    `HTTP/1.1 ${status.code} ${STATUS_CODES[status.code] ?? "Error"}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** A WebSocket close reason is at most 123 bytes. */
function truncate(reason: string): string {
  return Buffer.byteLength(reason) <= 123 ? reason : `${reason.slice(0, 100)}...`;
}
