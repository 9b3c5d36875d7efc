import { type JSONRPCMessage, parseJSONRPCMessage, type Transport } from "@modelcontextprotocol/server";
import { idOf, JSON_RPC_INVALID_REQUEST, JSON_RPC_PARSE_ERROR, jsonRpcError } from "./json-rpc-error.js";

/** The part of an accepted WebSocket the transport uses (Hono's `WSContext` fits). */
export interface MessageSocket {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

const OPEN = 1;

/**
 * An MCP transport over one WebSocket: one JSON-RPC message per text frame. A frame that is not
 * JSON, or not JSON-RPC, is answered with a JSON-RPC error frame and the connection stays up.
 * The socket's owner feeds frames in with {@link WebSocketServerTransport.receive} and reports
 * the socket's end with {@link WebSocketServerTransport.socketClosed}.
 */
export class WebSocketServerTransport implements Transport {
  readonly sessionId: string;
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: ((message: JSONRPCMessage) => void) | undefined;
  readonly #socket: MessageSocket;
  /** Frames that arrived before the server connected. */
  #pending: JSONRPCMessage[] | undefined = [];
  #closed = false;

  constructor(socket: MessageSocket, sessionId: string) {
    this.#socket = socket;
    this.sessionId = sessionId;
  }

  async start(): Promise<void> {
    const pending = this.#pending ?? [];
    this.#pending = undefined;
    for (const message of pending) this.onmessage?.(message);
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.#closed || this.#socket.readyState !== OPEN) throw new Error("Not connected");
    this.#socket.send(JSON.stringify(message));
  }

  /** One frame from the client. */
  receive(data: string | ArrayBuffer): void {
    const text = typeof data === "string" ? data : Buffer.from(data).toString("utf8");
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      this.#reply(jsonRpcError(JSON_RPC_PARSE_ERROR, "Parse error"));
      return;
    }
    let message: JSONRPCMessage;
    try {
      message = parseJSONRPCMessage(value);
    } catch {
      this.#reply(jsonRpcError(JSON_RPC_INVALID_REQUEST, "Invalid Request", idOf(value)));
      return;
    }
    if (this.#pending) this.#pending.push(message);
    else this.onmessage?.(message);
  }

  /** The socket ended (either side closed it, or it failed). */
  socketClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.onclose?.();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.#socket.readyState === OPEN) this.#socket.close(1000, "session closed");
    this.socketClosed();
  }

  #reply(error: unknown): void {
    if (this.#socket.readyState === OPEN) this.#socket.send(JSON.stringify(error));
  }
}
