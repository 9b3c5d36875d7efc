import type { JSONRPCMessage, Transport } from "@modelcontextprotocol/server";

const encoder = new TextEncoder();

/**
 * The server side of the 2024-11-05 HTTP+SSE transport over a web-standard stream: the stream's
 * first event is `endpoint` (where the client posts its messages), every message the server sends
 * is a `message` event, and a comment every `keepaliveMs` keeps proxies from closing an idle
 * stream. Posted messages come in through {@link SseServerTransport.receive}. Closing either
 * side (the client dropping the stream, or `close()`) ends the transport once.
 */
export class SseServerTransport implements Transport {
  readonly sessionId: string;
  /** The response body; hand it to the client. */
  readonly stream: ReadableStream<Uint8Array>;
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: ((message: JSONRPCMessage) => void) | undefined;
  #controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  readonly #keepalive: NodeJS.Timeout;
  #closed = false;

  constructor(sessionId: string, endpoint: string, keepaliveMs: number) {
    this.sessionId = sessionId;
    this.stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller;
        controller.enqueue(encoder.encode(`event: endpoint\ndata: ${endpoint}\n\n`));
      },
      cancel: () => this.close(),
    });
    this.#keepalive = setInterval(() => this.#write(": keepalive\n\n"), keepaliveMs);
    this.#keepalive.unref();
  }

  /** Whether the stream has ended. */
  get closed(): boolean {
    return this.#closed;
  }

  async start(): Promise<void> {
    // The stream is open from construction: the endpoint event must be first, before any reply.
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.#closed) throw new Error("Not connected");
    // JSON.stringify escapes line breaks, so one `data:` line holds the whole message.
    this.#write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  }

  /** Sends a message serialized already (one line of JSON). */
  sendSerialized(json: string): void {
    this.#write(`event: message\ndata: ${json}\n\n`);
  }

  /** Hands one message the client posted to the server. */
  receive(message: JSONRPCMessage): void {
    this.onmessage?.(message);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#keepalive);
    try {
      this.#controller?.close();
    } catch {
      // Already cancelled by the client.
    }
    this.onclose?.();
  }

  #write(chunk: string): void {
    if (this.#closed) return;
    try {
      this.#controller?.enqueue(encoder.encode(chunk));
    } catch (error) {
      this.onerror?.(error instanceof Error ? error : new Error(String(error)));
      void this.close();
    }
  }
}
