import { type Dispatcher, request } from "undici";
import {
  type JsonRpcMessage,
  McpCallError,
  type McpSession,
  resultOf,
  SESSION_PROTOCOL_VERSION,
} from "./mcp-session.js";
import { SseParser } from "./sse-parser.js";

/** Options for {@link LegacySseSession}. */
export interface LegacySseOptions {
  /** The stream URL (`GET`), e.g. `http://127.0.0.1:4444/servers/<id>/sse`. */
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly dispatcher: Dispatcher;
  /** How long to wait for the `endpoint` event and for each answer. Default 30 s. */
  readonly timeoutMs?: number;
}

interface Pending {
  resolve(message: JsonRpcMessage): void;
  reject(error: Error): void;
}

/**
 * A client session on the 2024-11-05 HTTP+SSE transport: a `GET` stream whose first `endpoint`
 * event names the URL to `POST` messages to; answers arrive on the stream, matched by id.
 */
export class LegacySseSession implements McpSession {
  readonly #options: LegacySseOptions;
  readonly #abort = new AbortController();
  readonly #pending = new Map<number, Pending>();
  #postUrl: string | undefined;
  #nextId = 1;
  #failure: Error | undefined;

  constructor(options: LegacySseOptions) {
    this.#options = options;
  }

  async open(): Promise<void> {
    let response: Dispatcher.ResponseData;
    try {
      response = await request(this.#options.url, {
        method: "GET",
        headers: { accept: "text/event-stream", ...this.#options.headers },
        dispatcher: this.#options.dispatcher,
        signal: this.#abort.signal,
      });
    } catch (error) {
      throw new McpCallError("transport", `SSE GET failed: ${(error as Error).message}`, { cause: error });
    }
    if (response.statusCode !== 200) {
      const text = await response.body.text();
      throw new McpCallError("transport", `SSE GET: HTTP ${response.statusCode}: ${text.slice(0, 200)}`);
    }
    const endpoint = new Promise<string>((resolve, reject) => {
      void this.#read(response.body, resolve, reject);
    });
    this.#postUrl = await withTimeout(endpoint, this.#timeoutMs(), "no endpoint event");
    const id = this.#nextId++;
    const answer = await this.#call({
      jsonrpc: "2.0",
      id,
      method: "initialize",
      params: {
        protocolVersion: SESSION_PROTOCOL_VERSION,
        capabilities: {},
        clientInfo: { name: "contextforge-bench", version: "0" },
      },
    });
    resultOf(answer, id);
    await this.#postMessage({ jsonrpc: "2.0", method: "notifications/initialized" });
  }

  async request(method: string, params: Record<string, unknown>): Promise<unknown> {
    const id = this.#nextId++;
    return resultOf(await this.#call({ jsonrpc: "2.0", id, method, params }), id);
  }

  async close(): Promise<void> {
    this.#abort.abort();
    this.#fail(new McpCallError("transport", "session closed"));
  }

  #timeoutMs(): number {
    return this.#options.timeoutMs ?? 30_000;
  }

  async #read(
    body: Dispatcher.ResponseData["body"],
    onEndpoint: (url: string) => void,
    onEnd: (error: Error) => void,
  ): Promise<void> {
    const parser = new SseParser();
    body.setEncoding("utf8");
    try {
      for await (const chunk of body) {
        for (const event of parser.push(chunk as string)) {
          if (event.event === "endpoint") onEndpoint(new URL(event.data, this.#options.url).toString());
          else if (event.event === "message") this.#deliver(JSON.parse(event.data) as JsonRpcMessage);
        }
      }
      this.#fail(new McpCallError("transport", "SSE stream ended"));
    } catch (error) {
      this.#fail(new McpCallError("transport", `SSE stream failed: ${(error as Error).message}`));
    }
    onEnd(this.#failure ?? new McpCallError("transport", "SSE stream ended"));
  }

  #deliver(message: JsonRpcMessage): void {
    if (typeof message.id !== "number" || message.method !== undefined) return;
    const pending = this.#pending.get(message.id);
    this.#pending.delete(message.id);
    pending?.resolve(message);
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }

  async #call(message: { id: number } & Record<string, unknown>): Promise<JsonRpcMessage> {
    if (this.#failure !== undefined) throw this.#failure;
    const answer = new Promise<JsonRpcMessage>((resolve, reject) => {
      this.#pending.set(message.id, { resolve, reject });
    });
    try {
      await this.#postMessage(message);
    } catch (error) {
      this.#pending.delete(message.id);
      throw error;
    }
    return withTimeout(answer, this.#timeoutMs(), `no answer to request ${message.id}`);
  }

  async #postMessage(message: object): Promise<void> {
    if (this.#postUrl === undefined) throw new McpCallError("transport", "the stream is not open");
    let response: Dispatcher.ResponseData;
    try {
      response = await request(this.#postUrl, {
        method: "POST",
        headers: { "content-type": "application/json", ...this.#options.headers },
        body: JSON.stringify(message),
        dispatcher: this.#options.dispatcher,
      });
    } catch (error) {
      throw new McpCallError("transport", `POST failed: ${(error as Error).message}`, { cause: error });
    }
    const text = await response.body.text();
    if (response.statusCode >= 300)
      throw new McpCallError("transport", `POST: HTTP ${response.statusCode}: ${text.slice(0, 200)}`);
  }
}

/** `promise`, or a transport error after `ms`. */
async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new McpCallError("transport", `${what} within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
