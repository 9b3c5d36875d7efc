import type { ChildProcess } from "node:child_process";
import {
  type JSONRPCMessage,
  ReadBuffer,
  serializeMessage,
  type Transport,
} from "@modelcontextprotocol/client";

/**
 * A client {@link Transport} over the stdin/stdout of a child process someone else spawned (here:
 * `startProcess`, which owns the process and its cleanup). Newline-delimited JSON-RPC, as the
 * stdio binding specifies.
 */
export class ChildProcessTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  readonly #child: ChildProcess;
  readonly #buffer = new ReadBuffer();

  constructor(child: ChildProcess) {
    this.#child = child;
  }

  async start(): Promise<void> {
    this.#child.stdout?.on("data", (chunk: string | Buffer) => {
      this.#buffer.append(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      try {
        for (
          let message = this.#buffer.readMessage();
          message !== null;
          message = this.#buffer.readMessage()
        ) {
          this.onmessage?.(message);
        }
      } catch (error) {
        this.onerror?.(error instanceof Error ? error : new Error(String(error)));
      }
    });
    this.#child.once("exit", () => this.onclose?.());
  }

  async send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.#child.stdin;
    if (stdin === null) throw new Error("the child has no stdin");
    await new Promise<void>((resolve, reject) => {
      stdin.write(serializeMessage(message), (error) => (error ? reject(error) : resolve()));
    });
  }

  async close(): Promise<void> {
    this.#child.stdin?.end();
    this.onclose?.();
  }
}
