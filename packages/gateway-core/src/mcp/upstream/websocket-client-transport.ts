import {
  type JSONRPCMessage,
  parseJSONRPCMessage,
  SdkError,
  SdkErrorCode,
  SdkHttpError,
  type Transport,
} from "@modelcontextprotocol/client";
import { type RawData, WebSocket } from "ws";
import { MacrotaskInbox } from "./macrotask-inbox.js";

/** Options of {@link WebSocketClientTransport}. */
export interface WebSocketClientTransportOptions {
  /** Sent on the opening handshake (credentials such as `Authorization`). Never logged. */
  readonly headers?: Readonly<Record<string, string>>;
  /** How long the opening handshake may take (TCP, TLS, HTTP upgrade). Default 10000. */
  readonly handshakeTimeoutMs?: number;
  /**
   * A WebSocket ping this often; a ping still unanswered at the next one means the connection is
   * dead, and it is closed. 0 turns pings off. Default 30000.
   */
  readonly pingIntervalMs?: number;
}

/** The subprotocol offered to MCP servers over WebSocket. */
export const MCP_WEBSOCKET_SUBPROTOCOL = "mcp";
const NORMAL_CLOSURE = 1000;
/** How long {@link WebSocketClientTransport.close} waits for the server's close frame. */
const CLOSE_GRACE_MS = 1_000;

/**
 * An MCP client transport over one WebSocket (`ws://` or `wss://`): one JSON-RPC message per text
 * frame, subprotocol `mcp` offered. The SDK v2 client has none; this one is built on `ws` because
 * Node's own WebSocket cannot send headers on the handshake, where the upstream's credentials go.
 * Frames that are not JSON-RPC are reported through `onerror` and dropped, never thrown. One
 * channel carries every request, so there is no per-request stream (`hasPerRequestStream`).
 */
export class WebSocketClientTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: ((message: JSONRPCMessage) => void) | undefined;
  readonly #url: URL;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #handshakeTimeoutMs: number;
  readonly #pingIntervalMs: number;
  #socket: WebSocket | undefined;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  /** Whether anything came from the server since the last ping. */
  #heard = true;
  /** Messages (and the close) not yet delivered, in arrival order, one per macrotask. */
  readonly #inbox = new MacrotaskInbox<JSONRPCMessage>(
    (message) => this.onmessage?.(message),
    () => this.onclose?.(),
  );
  #closing = false;
  #closed = false;

  constructor(url: URL | string, options: WebSocketClientTransportOptions = {}) {
    this.#url = new URL(url);
    if (this.#url.protocol !== "ws:" && this.#url.protocol !== "wss:")
      throw new TypeError(`a WebSocket transport needs a ws:// or wss:// URL, not ${this.#url.protocol}`);
    this.#headers = { ...options.headers };
    this.#handshakeTimeoutMs = options.handshakeTimeoutMs ?? 10_000;
    this.#pingIntervalMs = options.pingIntervalMs ?? 30_000;
    if (!(this.#handshakeTimeoutMs > 0)) throw new RangeError("handshakeTimeoutMs must be positive");
    if (!(this.#pingIntervalMs >= 0)) throw new RangeError("pingIntervalMs must be 0 or more");
  }

  /**
   * Opens the socket. Rejects with an `SdkHttpError` carrying the status when the server refuses
   * the upgrade (401, 404...), and with an `SdkError` whose `cause` is the socket error (e.g.
   * `ECONNREFUSED`, or `ETIMEDOUT` after `handshakeTimeoutMs`) when it cannot be opened.
   */
  start(): Promise<void> {
    if (this.#socket !== undefined)
      return Promise.reject(new SdkError(SdkErrorCode.AlreadyConnected, "the WebSocket is already started"));
    if (this.#closing) return Promise.reject(notConnected("the transport was closed before it started"));
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.#url, [MCP_WEBSOCKET_SUBPROTOCOL], {
        headers: this.#headers,
        perMessageDeflate: false,
        followRedirects: false,
      });
    } catch (error) {
      // E.g. a header value Node refuses to send; its message names the header, not the value.
      return Promise.reject(openFailed(`cannot open WebSocket: ${(error as Error).message}`, error as Error));
    }
    this.#socket = socket;
    return new Promise<void>((resolve, reject) => {
      let opened = false;
      let failure: Error | undefined;
      const timer = setTimeout(() => {
        const cause = Object.assign(new Error("opening handshake timed out"), { code: "ETIMEDOUT" });
        failure ??= openFailed(
          `WebSocket opening handshake timed out after ${this.#handshakeTimeoutMs} ms`,
          cause,
        );
        socket.terminate();
      }, this.#handshakeTimeoutMs);
      socket.once("unexpected-response", (_request, response) => {
        const status = response.statusCode ?? 0;
        const statusText = response.statusMessage ?? "";
        response.resume();
        failure ??= new SdkHttpError(
          status === 401
            ? SdkErrorCode.ClientHttpAuthentication
            : status === 403
              ? SdkErrorCode.ClientHttpForbidden
              : SdkErrorCode.ClientHttpFailedToOpenStream,
          `WebSocket upgrade refused with HTTP ${status}${statusText ? ` ${statusText}` : ""}`,
          { status, statusText },
        );
        socket.terminate();
      });
      socket.once("open", () => {
        opened = true;
        clearTimeout(timer);
        this.#startPings(socket);
        resolve();
      });
      // Without a listener, ws would throw the error out of the event loop.
      socket.on("error", (error) => {
        if (opened) this.onerror?.(error);
        else failure ??= openFailed(`cannot open WebSocket: ${error.message}`, error);
      });
      socket.on("message", (data, isBinary) => {
        this.#heard = true;
        this.#receive(data, isBinary);
      });
      socket.on("pong", () => {
        this.#heard = true;
      });
      socket.once("close", () => {
        clearTimeout(timer);
        if (!opened) reject(failure ?? notConnected("the WebSocket closed during the opening handshake"));
        this.#finish();
      });
    });
  }

  /** Writes one text frame; rejects with `NotConnected` (nothing was sent) when the socket is not open. */
  send(message: JSONRPCMessage): Promise<void> {
    const socket = this.#socket;
    if (this.#closing || socket?.readyState !== WebSocket.OPEN)
      return Promise.reject(notConnected("the WebSocket to the upstream is not open"));
    return new Promise((resolve, reject) => {
      socket.send(JSON.stringify(message), (error) => {
        if (error === undefined || error === null) resolve();
        else
          reject(
            new SdkError(SdkErrorCode.SendFailed, `WebSocket send failed: ${error.message}`, undefined, {
              cause: error,
            }),
          );
      });
    });
  }

  /** Closes with code 1000 (terminating after a short grace); `onclose` fires once. Never throws. */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    clearInterval(this.#pingTimer);
    const socket = this.#socket;
    if (socket !== undefined && socket.readyState === WebSocket.CONNECTING) socket.terminate();
    else if (socket !== undefined && socket.readyState !== WebSocket.CLOSED) {
      const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
      const grace = setTimeout(() => socket.terminate(), CLOSE_GRACE_MS);
      socket.close(NORMAL_CLOSURE, "client closed");
      await closed;
      clearTimeout(grace);
    }
    this.#finish();
  }

  #receive(data: RawData, isBinary: boolean): void {
    let value: unknown;
    try {
      value = JSON.parse(textOf(data));
    } catch {
      this.onerror?.(new Error(`upstream sent a ${isBinary ? "binary" : "text"} frame that is not JSON`));
      return;
    }
    // 2025-03-26 allowed batches; later versions send one message per frame.
    for (const item of Array.isArray(value) ? value : [value]) {
      let message: JSONRPCMessage;
      try {
        message = parseJSONRPCMessage(item);
      } catch (error) {
        this.onerror?.(new Error("upstream sent a frame that is not a JSON-RPC message", { cause: error }));
        continue;
      }
      this.#inbox.push(message);
    }
  }

  #startPings(socket: WebSocket): void {
    if (this.#pingIntervalMs === 0) return;
    this.#pingTimer = setInterval(() => {
      if (!this.#heard) {
        this.onerror?.(new Error(`the upstream WebSocket missed a pong within ${this.#pingIntervalMs} ms`));
        socket.terminate();
        return;
      }
      this.#heard = false;
      socket.ping();
    }, this.#pingIntervalMs);
    this.#pingTimer.unref();
  }

  /** The socket is gone or the transport closed: `onclose` fires once, after the messages read before. */
  #finish(): void {
    clearInterval(this.#pingTimer);
    if (this.#closed) return;
    this.#closed = true;
    if (this.#inbox.busy) this.#inbox.end();
    else this.onclose?.();
  }
}

function notConnected(message: string): SdkError {
  return new SdkError(SdkErrorCode.NotConnected, message);
}

function openFailed(message: string, cause: Error): SdkError {
  return new SdkError(SdkErrorCode.ClientHttpFailedToOpenStream, message, undefined, { cause });
}

function textOf(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.isBuffer(data) ? data.toString("utf8") : Buffer.from(data).toString("utf8");
}
