import { setMaxListeners } from "node:events";
import { STATUS_CODES } from "node:http";
import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import {
  type JSONRPCMessage,
  parseJSONRPCMessage,
  SdkError,
  SdkErrorCode,
  SdkHttpError,
  type Transport,
  type TransportSendOptions,
} from "@modelcontextprotocol/client";
import { type Dispatcher, Pool } from "undici";
import {
  applyBodyDerivedHeaders,
  envelopeVersionOf,
  isModernVersion,
  isRequestMessage,
  RESERVED_REQUEST_HEADERS,
} from "./mcp-request-headers.js";
import { SseEventParser } from "./sse-event-parser.js";

/** How a dropped SSE stream is reopened (GET with `Last-Event-ID`); the SDK transport's defaults. */
export interface SseReconnectionOptions {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly growFactor: number;
  /** Failed reopenings in a row before giving up. */
  readonly maxRetries: number;
}

/** Options for {@link LeanHttpClientTransport}. */
export interface LeanHttpClientTransportOptions {
  /** Static headers sent on every request (credentials of the upstream). */
  readonly headers?: Readonly<Record<string, string>>;
  /** A shared undici dispatcher; the caller closes it. Default: a keep-alive pool of the transport's own. */
  readonly dispatcher?: Dispatcher;
  readonly reconnection?: SseReconnectionOptions;
}

/** What one SSE stream answers for: a POST's reply stream, or a GET (standalone or resumed) stream. */
interface StreamOptions {
  readonly resumptionToken?: string | undefined;
  readonly onresumptiontoken?: ((token: string) => void) | undefined;
  readonly replayMessageId?: string | number | undefined;
  readonly requestSignal?: AbortSignal | undefined;
  readonly onRequestStreamEnd?: (() => void) | undefined;
}

const DEFAULT_RECONNECTION: SseReconnectionOptions = {
  initialDelayMs: 1_000,
  maxDelayMs: 30_000,
  growFactor: 1.5,
  maxRetries: 2,
};

/**
 * A Streamable HTTP client transport for the SDK v2 `Client`, on undici's `request` over a
 * keep-alive pool, with SSE parsed incrementally from the Node stream. It keeps the wire
 * contracts of the SDK's `StreamableHTTPClientTransport` the gateway relies on: one POST per
 * message (`hasPerRequestStream`, abort through `requestSignal`, `onRequestStreamEnd`), the
 * 2026-07-28 body-derived headers and a 400 JSON-RPC error delivered as the reply, `Mcp-Session-Id`
 * capture and `terminateSession` (DELETE), the GET stream of a 2025 session after
 * `notifications/initialized` (405: none), resumption with `Last-Event-ID` and `retry`, and
 * `SdkHttpError`s carrying the HTTP status. It has no OAuth, step-up or redirect handling: use
 * the SDK's transport when an auth provider is needed.
 */
export class LeanHttpClientTransport implements Transport {
  /** One POST (and reply stream) per outbound request: 2026 cancellation aborts it. */
  readonly hasPerRequestStream = true;
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: Transport["onmessage"];

  readonly #origin: string;
  readonly #path: string;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #staticHeaders: Readonly<Record<string, string>>;
  readonly #postAccept: string;
  readonly #getAccept: string;
  readonly #reconnection: SseReconnectionOptions;
  readonly #closer = new AbortController();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  #started = false;
  #dispatcherClosed = false;
  #sessionId: string | undefined;
  #protocolVersion: string | undefined;
  #serverRetryMs: number | undefined;

  constructor(url: URL, options: LeanHttpClientTransportOptions = {}) {
    this.#origin = url.origin;
    this.#path = `${url.pathname}${url.search}`;
    this.#ownsDispatcher = options.dispatcher === undefined;
    // Timeouts are the gateway's (call deadlines, abort signals): an SSE stream may idle for long.
    this.#dispatcher = options.dispatcher ?? new Pool(url.origin, { headersTimeout: 0, bodyTimeout: 0 });
    this.#reconnection = options.reconnection ?? DEFAULT_RECONNECTION;
    const headers: Record<string, string> = {};
    let accept: string[] = [];
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      const lower = name.toLowerCase();
      if (lower === "accept") accept = value.split(",").map((type) => type.trim().toLowerCase());
      else headers[lower] = value;
    }
    this.#staticHeaders = headers;
    this.#postAccept = [...new Set([...accept, "application/json", "text/event-stream"])].join(", ");
    this.#getAccept = [...new Set([...accept, "text/event-stream"])].join(", ");
    // Every in-flight request listens on the close signal: many at once is normal, not a leak.
    setMaxListeners(0, this.#closer.signal);
  }

  /** The `Mcp-Session-Id` the upstream minted on `initialize` (2025 era), if any. */
  get sessionId(): string | undefined {
    return this.#sessionId;
  }

  /** The version sent as `MCP-Protocol-Version` on requests without a `_meta` claim. */
  get protocolVersion(): string | undefined {
    return this.#protocolVersion;
  }

  setProtocolVersion(version: string): void {
    this.#protocolVersion = version;
  }

  async start(): Promise<void> {
    if (this.#started) throw new Error("LeanHttpClientTransport already started");
    this.#started = true;
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#closer.abort();
    const closing = this.#closeDispatcher();
    this.onclose?.();
    await closing;
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const requestSignal = options?.requestSignal;
    try {
      if (options?.resumptionToken) {
        const replayMessageId = isRequestMessage(message) ? message.id : undefined;
        this.#openGetStream({
          resumptionToken: options.resumptionToken,
          replayMessageId,
          requestSignal,
        }).catch(() => {});
        return;
      }
      const handshake = isRequestMessage(message) && message.method === "initialize";
      const headers = this.#baseHeaders(handshake);
      applyBodyDerivedHeaders(headers, message);
      if (options?.headers !== undefined) {
        for (const [name, value] of Object.entries(options.headers)) {
          const lower = name.toLowerCase();
          if (!RESERVED_REQUEST_HEADERS.has(lower)) headers[lower] = value;
        }
      }
      headers["content-type"] = "application/json";
      headers.accept = this.#postAccept;
      const response = await this.#request(
        "POST",
        headers,
        this.#signalFor(requestSignal),
        JSON.stringify(message),
      );
      const status = response.statusCode;
      if (handshake && isOk(status)) this.#sessionId = headerOf(response, "mcp-session-id") || undefined;
      if (!isOk(status)) {
        const text = await response.body.text().catch(() => null);
        if (status === 400 && text !== null && this.#deliverRejection(message, text)) return;
        throw new SdkHttpError(SdkErrorCode.ClientHttpNotImplemented, `Error POSTing to endpoint: ${text}`, {
          status,
          statusText: statusTextOf(status),
          text,
        });
      }
      if (status === 202) {
        await response.body.dump();
        if (
          !isRequestMessage(message) &&
          "method" in message &&
          message.method === "notifications/initialized"
        )
          this.#openGetStream({}).catch(() => {});
        return;
      }
      if (!isRequestMessage(message)) {
        await response.body.dump();
        return;
      }
      const contentType = headerOf(response, "content-type");
      const mediaType = contentType?.split(";", 1)[0]?.trim().toLowerCase();
      if (mediaType === "text/event-stream") {
        this.#consumeSse(
          response.body,
          {
            onresumptiontoken: options?.onresumptiontoken,
            requestSignal,
            onRequestStreamEnd: options?.onRequestStreamEnd,
          },
          false,
        );
      } else if (mediaType === "application/json") {
        const data: unknown = JSON.parse(await response.body.text());
        for (const item of Array.isArray(data) ? data : [data]) this.onmessage?.(toMessage(item));
      } else {
        await response.body.dump();
        throw new SdkError(
          SdkErrorCode.ClientHttpUnexpectedContent,
          `Unexpected content type: ${contentType}`,
          {
            contentType,
          },
        );
      }
    } catch (error) {
      if (requestSignal?.aborted !== true) this.#error(error);
      throw error;
    }
  }

  /**
   * Ends the 2025 session with a DELETE; a 405 (the upstream does not let clients end sessions)
   * counts as done. Nothing to do without a session id.
   */
  async terminateSession(): Promise<void> {
    if (!this.#sessionId) return;
    try {
      const response = await this.#request("DELETE", this.#baseHeaders(false), this.#closer.signal);
      await response.body.dump();
      const status = response.statusCode;
      if (!isOk(status) && status !== 405) {
        throw new SdkHttpError(
          SdkErrorCode.ClientHttpFailedToTerminateSession,
          `Failed to terminate session: ${statusTextOf(status)}`,
          { status, statusText: statusTextOf(status) },
        );
      }
      this.#sessionId = undefined;
    } catch (error) {
      this.#error(error);
      throw error;
    }
  }

  #request(
    method: "POST" | "GET" | "DELETE",
    headers: Record<string, string>,
    signal: AbortSignal,
    body?: string,
  ): Promise<Dispatcher.ResponseData> {
    return this.#dispatcher.request({
      origin: this.#origin,
      path: this.#path,
      method,
      headers,
      signal,
      ...(body === undefined ? {} : { body }),
    });
  }

  #baseHeaders(handshake: boolean): Record<string, string> {
    const headers = { ...this.#staticHeaders };
    if (this.#sessionId && !handshake) headers["mcp-session-id"] = this.#sessionId;
    if (this.#protocolVersion) headers["mcp-protocol-version"] = this.#protocolVersion;
    return headers;
  }

  #signalFor(requestSignal: AbortSignal | undefined): AbortSignal {
    return requestSignal === undefined
      ? this.#closer.signal
      : AbortSignal.any([this.#closer.signal, requestSignal]);
  }

  /**
   * A 2026-07-28 server answers a request it refuses (header mismatch, unsupported version...)
   * with 400 and a JSON-RPC error for that request: that error is the reply, as with the SDK.
   */
  #deliverRejection(message: JSONRPCMessage, text: string): boolean {
    const version = envelopeVersionOf(message);
    if (version === undefined || !isModernVersion(version) || !isRequestMessage(message)) return false;
    try {
      const parsed = toMessage(JSON.parse(text));
      if (!("error" in parsed) || parsed.id !== message.id) return false;
      this.onmessage?.(parsed);
      return true;
    } catch {
      return false;
    }
  }

  /** Opens a GET stream: the 2025 session's standalone stream, or a resumption with `Last-Event-ID`. */
  async #openGetStream(options: StreamOptions): Promise<void> {
    try {
      const headers = this.#baseHeaders(false);
      headers.accept = this.#getAccept;
      if (options.resumptionToken) headers["last-event-id"] = options.resumptionToken;
      const response = await this.#request("GET", headers, this.#signalFor(options.requestSignal));
      const status = response.statusCode;
      if (!isOk(status)) {
        await response.body.dump();
        if (status === 405) {
          options.onRequestStreamEnd?.();
          return;
        }
        throw new SdkHttpError(
          SdkErrorCode.ClientHttpFailedToOpenStream,
          `Failed to open SSE stream: ${statusTextOf(status)}`,
          { status, statusText: statusTextOf(status) },
        );
      }
      this.#consumeSse(response.body, options, true);
    } catch (error) {
      if (!this.#intentionalAbort(options)) this.#error(error);
      throw error;
    }
  }

  /**
   * Reads an SSE stream to its end, delivering each `message` event. A stream that ends before
   * its reply is reopened with `Last-Event-ID` when it can be (a GET stream, or one that sent an
   * event id); otherwise its end is reported through `onRequestStreamEnd`.
   */
  #consumeSse(body: Readable, options: StreamOptions, reconnectable: boolean): void {
    let lastEventId: string | undefined;
    let primed = false;
    let answered = false;
    // One message per microtask, in order: the SDK runs notification handlers a microtask late
    // but settles a response at once (dropping its progress handler), so a progress notification
    // read in the same chunk as the result must get its turn first.
    let tail: Promise<void> = Promise.resolve();
    const later = (step: () => void): void => {
      tail = tail.then(step);
    };
    const parser = new SseEventParser({
      onRetry: (ms) => {
        this.#serverRetryMs = ms;
      },
      onEvent: (event) => {
        if (event.id) {
          lastEventId = event.id;
          primed = true;
          options.onresumptiontoken?.(event.id);
        }
        if (!event.data || (event.event !== undefined && event.event !== "message")) return;
        let message: ReturnType<typeof toMessage>;
        try {
          message = toMessage(JSON.parse(event.data));
        } catch (error) {
          this.#error(error);
          return;
        }
        if ("result" in message || "error" in message) {
          answered = true;
          if (options.replayMessageId !== undefined) message.id = options.replayMessageId;
        }
        later(() => {
          try {
            this.onmessage?.(message);
          } catch (error) {
            this.#error(error);
          }
        });
      },
    });
    const finish = (failure: unknown): void => {
      if (this.#intentionalAbort(options)) return;
      if (failure !== undefined) this.#error(new Error(`SSE stream disconnected: ${failure}`));
      if ((reconnectable || primed) && !answered && this.#started) {
        this.#scheduleReconnection({ ...options, resumptionToken: lastEventId }, 0);
      } else options.onRequestStreamEnd?.();
    };
    // undici's body yields Buffers whatever the encoding set: decode here, keeping split characters.
    const decoder = new StringDecoder("utf8");
    body.on("data", (chunk: Buffer) => parser.feed(decoder.write(chunk)));
    body.once("end", () => later(() => finish(undefined)));
    body.once("error", (error) => later(() => finish(error)));
  }

  #scheduleReconnection(options: StreamOptions, attempt: number): void {
    const { maxRetries, initialDelayMs, growFactor, maxDelayMs } = this.#reconnection;
    if (attempt >= maxRetries) {
      this.#error(new Error(`Maximum reconnection attempts (${maxRetries}) exceeded.`));
      options.onRequestStreamEnd?.();
      return;
    }
    const delay = this.#serverRetryMs ?? Math.min(initialDelayMs * growFactor ** attempt, maxDelayMs);
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (this.#intentionalAbort(options)) return;
      this.#openGetStream(options).catch((error: unknown) => {
        if (this.#intentionalAbort(options)) return;
        this.#error(
          new Error(`Failed to reconnect SSE stream: ${error instanceof Error ? error.message : error}`),
        );
        this.#scheduleReconnection(options, attempt + 1);
      });
    }, delay);
    this.#timers.add(timer);
  }

  #intentionalAbort(options: StreamOptions): boolean {
    return this.#closer.signal.aborted || options.requestSignal?.aborted === true;
  }

  #error(error: unknown): void {
    this.onerror?.(error instanceof Error ? error : new Error(String(error)));
  }

  async #closeDispatcher(): Promise<void> {
    if (!this.#ownsDispatcher || this.#dispatcherClosed) return;
    this.#dispatcherClosed = true;
    await this.#dispatcher.destroy().catch(() => {});
  }
}

const isOk = (status: number): boolean => status >= 200 && status < 300;

const statusTextOf = (status: number): string => STATUS_CODES[status] ?? "";

function headerOf(response: Dispatcher.ResponseData, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * A parsed JSON value as a JSON-RPC message. The common shapes pass on a cheap check (the
 * `Client` validates each message again on receipt); anything else goes through the SDK's schema,
 * which throws the same error the SDK transport would.
 */
function toMessage(value: unknown): JSONRPCMessage & { id?: string | number | undefined } {
  if (
    value !== null &&
    typeof value === "object" &&
    (value as { jsonrpc?: unknown }).jsonrpc === "2.0" &&
    (typeof (value as { method?: unknown }).method === "string" || "result" in value || "error" in value)
  ) {
    return value as JSONRPCMessage;
  }
  return parseJSONRPCMessage(value);
}
