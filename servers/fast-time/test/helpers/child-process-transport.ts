import type { ChildProcess } from "node:child_process";
import {
  type JSONRPCMessage,
  ReadBuffer,
  serializeMessage,
  type Transport,
} from "@modelcontextprotocol/client";

/**
 * A client transport over the pipes of a child started by `startProcess`, so the test (not the
 * SDK's own stdio transport) owns the process and `stopAllProcesses` reaps it.
 */
export class ChildProcessTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private readonly buffer = new ReadBuffer();

  constructor(private readonly child: ChildProcess) {}

  async start(): Promise<void> {
    // startProcess already decodes stdout as UTF-8 (chunk boundaries included).
    this.child.stdout?.on("data", (chunk: string) => {
      this.buffer.append(Buffer.from(chunk, "utf8"));
      for (let message = this.buffer.readMessage(); message !== null; message = this.buffer.readMessage()) {
        this.onmessage?.(message);
      }
    });
    this.child.once("exit", () => this.onclose?.());
  }

  async send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.child.stdin;
    if (stdin === null) throw new Error("the child has no stdin pipe");
    await new Promise<void>((resolve, reject) =>
      stdin.write(serializeMessage(message), (error) => (error ? reject(error) : resolve())),
    );
  }

  async close(): Promise<void> {
    this.child.stdin?.end();
  }
}
