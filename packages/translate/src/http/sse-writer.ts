import type { ServerResponse } from "node:http";

/** The response headers of every SSE stream mcptranslate writes. */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  "Content-Type": "text/event-stream",
  "Cache-Control": "no-cache, no-transform",
  Connection: "keep-alive",
  "X-Accel-Buffering": "no",
};

/** One SSE `message` event carrying a JSON-RPC message. */
export function sseMessageEvent(message: unknown): string {
  return `event: message\ndata: ${JSON.stringify(message)}\n\n`;
}

/**
 * An SSE stream written straight to a `ServerResponse`. The headers go out with the first event
 * (one write for headers and data) unless {@link open} sends them earlier; keep-alive comments run
 * once the headers are out.
 */
export class SseWriter {
  readonly #res: ServerResponse;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #keepAliveMs: number;
  #keepAlive: NodeJS.Timeout | undefined;
  #ended = false;

  constructor(res: ServerResponse, headers: Readonly<Record<string, string>>, keepAliveMs: number) {
    this.#res = res;
    this.#headers = headers;
    this.#keepAliveMs = keepAliveMs;
    res.once("close", () => this.#stop());
  }

  /** False once ended or once the client went away. */
  get writable(): boolean {
    return !this.#ended && !this.#res.destroyed;
  }

  /** Sends the headers now (a GET stream, which may stay silent for long). */
  open(): void {
    if (this.#res.headersSent || !this.writable) return;
    this.#res.writeHead(200, this.#headers);
    this.#res.flushHeaders();
    this.#armKeepAlive();
  }

  /** Writes one message event; `last` ends the stream with it. */
  send(message: unknown, last = false): void {
    if (!this.writable) return;
    const event = sseMessageEvent(message);
    if (!this.#res.headersSent) {
      this.#res.writeHead(200, this.#headers);
      if (!last) this.#armKeepAlive();
    }
    if (last) {
      this.#ended = true;
      this.#stop();
      this.#res.end(event);
      return;
    }
    this.#res.write(event);
  }

  /** Ends the stream (headers first when none went out). */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#stop();
    if (this.#res.destroyed) return;
    if (!this.#res.headersSent) this.#res.writeHead(200, this.#headers);
    this.#res.end();
  }

  #armKeepAlive(): void {
    if (this.#keepAliveMs <= 0 || this.#keepAlive !== undefined) return;
    this.#keepAlive = setInterval(() => {
      if (this.writable) this.#res.write(": keepalive\n\n");
    }, this.#keepAliveMs);
    this.#keepAlive.unref();
  }

  #stop(): void {
    clearInterval(this.#keepAlive);
    this.#keepAlive = undefined;
  }
}
