import type { JSONRPCMessage, Transport, TransportSendOptions } from "@modelcontextprotocol/server";
import type { SessionSink } from "../relay/child-channel.js";
import type { JsonRpcMessage } from "../relay/json-rpc.js";
import { RequestTracker } from "../relay/request-tracker.js";

/**
 * An MCP server transport that lives in this process: the downstream session hands it client
 * messages, and what the server sends goes to the session's sink with the request it belongs to.
 */
export class InProcessTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: ((message: JSONRPCMessage) => void) | undefined;
  readonly #sink: SessionSink;
  readonly #tracker = new RequestTracker();
  #closed = false;

  constructor(sink: SessionSink) {
    this.#sink = sink;
  }

  /** Requests the server has not answered yet. */
  get pendingRequests(): number {
    return this.#tracker.size;
  }

  async start(): Promise<void> {}

  /** A message from the client, for the server. */
  receive(message: JsonRpcMessage): void {
    if (this.#closed) return;
    this.#tracker.fromClient(message);
    this.onmessage?.(message as JSONRPCMessage);
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (this.#closed) return;
    const tracked = this.#tracker.fromChild(message as JsonRpcMessage);
    this.#sink.deliver(message as JsonRpcMessage, options?.relatedRequestId ?? tracked);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.onclose?.();
  }
}
