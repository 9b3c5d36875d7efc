import type { AddressInfo } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";

/** One tunnel the proxy dialled: the frames it sent, and its WebSocket pings. */
export interface TunnelConnection {
  readonly socket: WebSocket;
  readonly frames: Record<string, unknown>[];
  readonly authorization?: string;
  pings: number;
}

/** A JSON-RPC message the proxy carried from the local server. */
export type CarriedMessage = { message: { id?: number; result?: unknown; error?: unknown } };

const INITIALIZE = {
  protocolVersion: "2025-06-18",
  capabilities: {},
  clientInfo: { name: "fake-gateway", version: "1.0.0" },
};

/**
 * The gateway side of the tunnel protocol, in miniature: a real WebSocket server on loopback that
 * records frames and answers on demand (the real gateway lives in gateway-core, which the bridge
 * CLIs must not depend on).
 */
export class FakeGateway {
  readonly server: WebSocketServer;
  readonly connections: TunnelConnection[] = [];
  #waiters: (() => void)[] = [];

  private constructor(server: WebSocketServer) {
    this.server = server;
    this.server.on("connection", (socket, request) => {
      const connection: TunnelConnection = {
        socket,
        frames: [],
        pings: 0,
        ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}),
      };
      this.connections.push(connection);
      socket.on("message", (data) => {
        connection.frames.push(JSON.parse(data.toString()) as Record<string, unknown>);
        this.#wake();
      });
      socket.on("ping", () => {
        connection.pings += 1;
        this.#wake();
      });
      this.#wake();
    });
  }

  /** Listens on a free loopback port. */
  static async start(): Promise<FakeGateway> {
    const server = new WebSocketServer({ port: 0, host: "127.0.0.1", path: "/reverse-proxy/ws" });
    await new Promise((resolve) => server.once("listening", resolve));
    return new FakeGateway(server);
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Waits until `probe` returns a value. */
  async until<T>(probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value !== undefined) return value;
      if (Date.now() > end) throw new Error("timed out waiting on the tunnel");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits for the proxy's `register` frame on connection `index`, and accepts it. */
  async register(index = 0): Promise<Record<string, unknown>> {
    const frame = await this.until(() => this.connections[index]?.frames[0]);
    const name = String(frame.name);
    this.connections[index]?.socket.send(JSON.stringify({ type: "registered", gatewayId: "g1", slug: name }));
    return frame;
  }

  /** Sends a frame on connection `index`. */
  send(index: number, frame: object): void {
    const connection = this.connections[index];
    if (!connection) throw new Error("no such connection");
    connection.socket.send(JSON.stringify(frame));
  }

  /** Sends a JSON-RPC request in `session` and waits for its response. */
  async request(
    index: number,
    session: string,
    id: number,
    method: string,
    params: object = {},
  ): Promise<CarriedMessage> {
    this.send(index, { type: "message", session, message: { jsonrpc: "2.0", id, method, params } });
    return this.response(index, session, id);
  }

  /** Waits for the response to request `id` of `session`. */
  response(index: number, session: string, id: number): Promise<CarriedMessage> {
    return this.until(
      () =>
        this.connections[index]?.frames.find(
          (frame) =>
            frame.type === "message" &&
            frame.session === session &&
            (frame.message as { id?: number }).id === id,
        ) as CarriedMessage | undefined,
    );
  }

  /** Opens `session` and initializes it, as the gateway does before its first call. */
  async openSession(index: number, session: string): Promise<CarriedMessage> {
    this.send(index, { type: "open", session });
    const init = await this.request(index, session, 0, "initialize", INITIALIZE);
    this.send(index, {
      type: "message",
      session,
      message: { jsonrpc: "2.0", method: "notifications/initialized" },
    });
    return init;
  }

  /** Calls a tool in `session` and returns its first text (or throws on a JSON-RPC error). */
  async callText(
    index: number,
    session: string,
    id: number,
    name: string,
    args: object = {},
  ): Promise<string> {
    const { message } = await this.request(index, session, id, "tools/call", { name, arguments: args });
    if (message.error !== undefined) throw new Error(`tool ${name}: ${JSON.stringify(message.error)}`);
    return (message.result as { content: { text: string }[] }).content[0]?.text ?? "";
  }

  close(): Promise<void> {
    for (const client of this.server.clients) client.terminate();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
