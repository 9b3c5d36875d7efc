import type { ChildProcess } from "node:child_process";
import {
  type JsonRpcMessage,
  McpCallError,
  type McpSession,
  resultOf,
  SESSION_PROTOCOL_VERSION,
} from "./mcp-session.js";

/**
 * One MCP connection over a child's stdin/stdout (newline-delimited JSON-RPC), opened with the
 * 2025 `initialize` handshake. Any number of {@link StdioSession}s share it, each call with its
 * own id: the direct stdio baseline, one process as the gateway and the peers run it.
 */
export class StdioConnection {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, (message: JsonRpcMessage) => void>();
  #nextId = 1;
  #buffer = "";

  constructor(child: ChildProcess) {
    if (child.stdin === null || child.stdout === null)
      throw new Error("the child needs piped stdin and stdout");
    this.#child = child;
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => this.#receive(chunk));
    child.once("exit", () => {
      const gone: JsonRpcMessage = { error: { code: -32000, message: "the stdio server exited" } };
      for (const resolve of this.#pending.values()) resolve(gone);
      this.#pending.clear();
    });
  }

  /** Sends `initialize` and `notifications/initialized`. */
  async initialize(): Promise<void> {
    await this.call("initialize", {
      protocolVersion: SESSION_PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: "contextforge-bench", version: "0" },
    });
    this.#send({ jsonrpc: "2.0", method: "notifications/initialized" });
  }

  /** Sends one request; resolves with its result. */
  async call(method: string, params: Record<string, unknown>): Promise<unknown> {
    const id = this.#nextId++;
    const answer = new Promise<JsonRpcMessage>((resolve) => this.#pending.set(id, resolve));
    this.#send({ jsonrpc: "2.0", id, method, params });
    return resultOf(await answer, id);
  }

  #send(message: object): void {
    if (this.#child.exitCode !== null) throw new McpCallError("transport", "the stdio server exited");
    this.#child.stdin?.write(`${JSON.stringify(message)}\n`);
  }

  #receive(chunk: string): void {
    this.#buffer += chunk;
    let newline = this.#buffer.indexOf("\n");
    while (newline !== -1) {
      const line = this.#buffer.slice(0, newline).trim();
      this.#buffer = this.#buffer.slice(newline + 1);
      newline = this.#buffer.indexOf("\n");
      if (line === "") continue;
      const message = JSON.parse(line) as JsonRpcMessage;
      if (typeof message.id !== "number" || message.method !== undefined) continue;
      const resolve = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      resolve?.(message);
    }
  }
}

/** A session over a shared {@link StdioConnection}: nothing to open or close. */
export class StdioSession implements McpSession {
  readonly #connection: StdioConnection;

  constructor(connection: StdioConnection) {
    this.#connection = connection;
  }

  async open(): Promise<void> {}

  request(method: string, params: Record<string, unknown>): Promise<unknown> {
    return this.#connection.call(method, params);
  }

  async close(): Promise<void> {}
}
