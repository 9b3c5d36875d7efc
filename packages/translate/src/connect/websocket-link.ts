import { WebSocket } from "ws";
import type { TranslateLogger } from "../logger.js";
import { isJsonRpcMessage, type JsonRpcMessage } from "../relay/json-rpc.js";
import { fromStatus, type RemoteLink, RemoteLinkError, type RemoteLinkEvents } from "./remote-link.js";

/** Options of {@link WebSocketLink}. */
export interface WebSocketLinkOptions {
  readonly url: URL;
  /** Sent on the upgrade request (`--header`, `--oauth2Bearer`). */
  readonly headers: Readonly<Record<string, string>>;
  /** Ping interval; a remote that misses a pong is dropped. 0 disables. */
  readonly keepAliveMs: number;
  readonly events: RemoteLinkEvents;
  readonly log: TranslateLogger;
}

/**
 * MCP over WebSocket to the remote: subprotocol `mcp`, one JSON-RPC message per text frame (a
 * batch frame is split). The connection is the session: a closed socket is a lost session.
 */
export class WebSocketLink implements RemoteLink {
  readonly reconnectIsNewSession = true;
  readonly #options: WebSocketLinkOptions;
  #socket: WebSocket | undefined;
  #ping: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: WebSocketLinkOptions) {
    this.#options = options;
  }

  open(): Promise<boolean> {
    const { url, headers } = this.#options;
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, ["mcp"], { headers: { ...headers }, handshakeTimeout: 30_000 });
      this.#socket = socket;
      const fail = (error: RemoteLinkError): void => {
        socket.removeAllListeners();
        socket.on("error", () => {});
        socket.terminate();
        reject(error);
      };
      socket.once("unexpected-response", (_req, res) => {
        res.resume();
        fail(fromStatus(res.statusCode ?? 0, "WebSocket upgrade"));
      });
      socket.once("error", (error) => {
        const code = (error as NodeJS.ErrnoException).code;
        fail(new RemoteLinkError("unreachable", `WebSocket: ${code ?? error.message}`, { cause: error }));
      });
      socket.once("open", () => {
        socket.removeAllListeners();
        this.#attach(socket);
        resolve(true);
      });
    });
  }

  async send(message: JsonRpcMessage): Promise<void> {
    const socket = this.#socket;
    if (socket?.readyState !== WebSocket.OPEN) {
      throw new RemoteLinkError("unreachable", "WebSocket: not connected");
    }
    await new Promise<void>((resolve, reject) => {
      socket.send(JSON.stringify(message), (error) => {
        if (error)
          reject(new RemoteLinkError("unreachable", `WebSocket: ${error.message}`, { cause: error }));
        else resolve();
      });
    });
  }

  setProtocolVersion(_version: string): void {}

  async close(_endSession: boolean): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#ping);
    const socket = this.#socket;
    if (!socket || socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => socket.terminate(), 2_000);
      socket.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
      socket.close(1000, "mcptranslate is closing");
    });
  }

  #attach(socket: WebSocket): void {
    const { events, keepAliveMs, log } = this.#options;
    let alive = true;
    if (keepAliveMs > 0) {
      this.#ping = setInterval(() => {
        if (!alive) {
          socket.terminate();
          return;
        }
        alive = false;
        socket.ping();
      }, keepAliveMs);
      this.#ping.unref();
    }
    socket.on("pong", () => {
      alive = true;
    });
    socket.on("message", (data, isBinary) => {
      if (isBinary) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(data.toString());
      } catch {
        log("warn", "the remote sent a WebSocket frame that is not JSON; skipped");
        return;
      }
      for (const message of Array.isArray(parsed) ? parsed : [parsed]) {
        if (isJsonRpcMessage(message)) events.message(message);
      }
    });
    socket.on("error", (error) => log("debug", `WebSocket: ${error.message}`));
    socket.on("close", (code, reason) => {
      clearInterval(this.#ping);
      if (this.#closed) return;
      this.#closed = true;
      events.dropped(
        `the WebSocket closed (${code}${reason.length > 0 ? ` ${reason.toString()}` : ""})`,
        true,
      );
    });
  }
}
