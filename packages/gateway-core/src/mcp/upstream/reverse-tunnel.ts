import { randomUUID } from "node:crypto";
import type { TunnelFrame } from "@contextforge/mcp-transport";
import { type JSONRPCMessage, parseJSONRPCMessage, type Transport } from "@modelcontextprotocol/client";
import { MacrotaskInbox } from "./macrotask-inbox.js";

/** The part of an accepted WebSocket a tunnel uses (Hono's `WSContext` fits). */
export interface TunnelSocket {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

const OPEN = 1;

/**
 * One connected reverse proxy: an accepted WebSocket carrying MCP sessions with the proxy's
 * local server. The gateway is the MCP client; each {@link openSession} is one upstream session.
 * The socket's owner feeds frames in with {@link receive} and reports its end with
 * {@link socketClosed}, which closes every session (their pool sessions then close too).
 */
export class ReverseTunnel {
  readonly #socket: TunnelSocket;
  readonly #sessions = new Map<string, ReverseTunnelTransport>();
  /** Sessions another replica opened through this tunnel: where their frames from the proxy go. */
  readonly #relayed = new Map<string, (frame: TunnelFrame) => void>();
  #closed = false;
  #framesSent = 0;
  #framesReceived = 0;

  constructor(socket: TunnelSocket) {
    this.#socket = socket;
  }

  /** True until the socket ended. */
  get open(): boolean {
    return !this.#closed && this.#socket.readyState === OPEN;
  }

  /** MCP sessions open through the tunnel now (another replica's included). */
  get sessionCount(): number {
    return this.#sessions.size + this.#relayed.size;
  }

  /** Frames sent to the proxy so far. */
  get framesSent(): number {
    return this.#framesSent;
  }

  /** Frames received from the proxy after its registration. */
  get framesReceived(): number {
    return this.#framesReceived;
  }

  /** A transport for a new MCP session through the tunnel; `start()` asks the proxy to open it. */
  openSession(): ReverseTunnelTransport {
    const transport = new ReverseTunnelTransport(this, randomUUID());
    this.#sessions.set(transport.tunnelSessionId, transport);
    return transport;
  }

  /**
   * Opens session `session` for another replica: the proxy's frames of it go to `sink`, and that
   * replica's frames come in through {@link relay}. False when the socket is gone.
   */
  openRelayed(session: string, sink: (frame: TunnelFrame) => void): boolean {
    if (!this.send({ type: "open", session })) return false;
    this.#relayed.set(session, sink);
    return true;
  }

  /** A frame another replica sends for a session it opened here; false when it is not open here. */
  relay(frame: TunnelFrame): boolean {
    if (frame.type !== "message" && frame.type !== "close") return false;
    if (!this.#relayed.has(frame.session)) return false;
    if (frame.type === "close") this.#relayed.delete(frame.session);
    return this.send(frame);
  }

  /** Sends one frame; false when the socket is gone. */
  send(frame: TunnelFrame): boolean {
    if (!this.open) return false;
    this.#socket.send(JSON.stringify(frame));
    this.#framesSent++;
    return true;
  }

  /** One frame from the proxy (after registration). */
  receive(frame: TunnelFrame): void {
    this.#framesReceived++;
    if (frame.type !== "message" && frame.type !== "closed") return;
    const session = this.#sessions.get(frame.session);
    if (!session) {
      const sink = this.#relayed.get(frame.session);
      if (frame.type === "closed") this.#relayed.delete(frame.session);
      sink?.(frame);
      return;
    }
    if (frame.type === "closed") session.ended();
    else session.deliver(frame.message);
  }

  /** The socket ended: every session through it ends. */
  socketClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    const sessions = [...this.#sessions.values()];
    this.#sessions.clear();
    for (const session of sessions) session.ended();
    const relayed = [...this.#relayed];
    this.#relayed.clear();
    for (const [session, sink] of relayed) sink({ type: "closed", session });
  }

  /** Closes the socket (and so every session). */
  close(code: number, reason: string): void {
    if (this.#socket.readyState === OPEN) this.#socket.close(code, reason);
    this.socketClosed();
  }

  /** @internal A session ended: forget it. */
  forget(sessionId: string): void {
    this.#sessions.delete(sessionId);
  }
}

/** An SDK client transport for one MCP session through a {@link ReverseTunnel}. */
export class ReverseTunnelTransport implements Transport {
  /**
   * The tunnel's id of this session. Not `sessionId`: the SDK client takes a transport with a
   * `sessionId` for a reconnection and skips the `initialize` handshake.
   */
  readonly tunnelSessionId: string;
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: ((message: JSONRPCMessage) => void) | undefined;
  readonly #tunnel: ReverseTunnel;
  /** One message per macrotask, the end after them (see {@link MacrotaskInbox}). */
  readonly #inbox = new MacrotaskInbox<JSONRPCMessage>(
    (message) => this.onmessage?.(message),
    () => this.onclose?.(),
  );
  #closed = false;

  constructor(tunnel: ReverseTunnel, sessionId: string) {
    this.#tunnel = tunnel;
    this.tunnelSessionId = sessionId;
  }

  async start(): Promise<void> {
    if (this.#closed || !this.#tunnel.send({ type: "open", session: this.tunnelSessionId }))
      throw new Error("the reverse proxy tunnel is closed");
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.#closed || !this.#tunnel.send({ type: "message", session: this.tunnelSessionId, message }))
      throw new Error("the reverse proxy tunnel is closed");
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#tunnel.send({ type: "close", session: this.tunnelSessionId });
    this.ended();
  }

  /** @internal A message of this session from the proxy. */
  deliver(value: unknown): void {
    if (this.#closed) return;
    let message: JSONRPCMessage;
    try {
      message = parseJSONRPCMessage(value);
    } catch (error) {
      this.onerror?.(new Error("the reverse proxy sent an invalid JSON-RPC message", { cause: error }));
      return;
    }
    this.#inbox.push(message);
  }

  /** @internal The session ended (closed here, by the proxy, or with the socket). */
  ended(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#tunnel.forget(this.tunnelSessionId);
    if (this.#inbox.busy) this.#inbox.end();
    else this.onclose?.();
  }
}
