import {
  type JSONRPCMessage,
  SdkHttpError,
  StreamableHTTPClientTransport,
} from "@modelcontextprotocol/client";
import type { TranslateLogger } from "../logger.js";
import type { JsonRpcMessage } from "../relay/json-rpc.js";
import {
  fromStatus,
  type RemoteLink,
  RemoteLinkError,
  type RemoteLinkEvents,
  unreachable,
} from "./remote-link.js";

/** Options of {@link StreamableHttpLink}. */
export interface StreamableHttpLinkOptions {
  readonly url: URL;
  /** Sent on every request (`--header`, `--oauth2Bearer`). */
  readonly headers: Readonly<Record<string, string>>;
  readonly events: RemoteLinkEvents;
  readonly log: TranslateLogger;
}

/**
 * Streamable HTTP to the remote, through the SDK's client transport used as a raw pipe: it keeps
 * the `Mcp-Session-Id` and `MCP-Protocol-Version` headers, reads JSON and SSE answers, opens the GET
 * stream after `notifications/initialized`, resumes broken streams, and derives the 2026-07-28
 * request headers from the body. The link survives reconnects: the session id stays until the
 * remote answers 404.
 */
export class StreamableHttpLink implements RemoteLink {
  readonly reconnectIsNewSession = false;
  readonly #transport: StreamableHTTPClientTransport;
  readonly #events: RemoteLinkEvents;
  readonly #log: TranslateLogger;
  /** Errors a send() reported itself; the transport also passes them to onerror. */
  readonly #claimed = new WeakSet<object>();
  #started = false;
  #initialized = false;
  #closed = false;

  constructor(options: StreamableHttpLinkOptions) {
    this.#events = options.events;
    this.#log = options.log;
    this.#transport = new StreamableHTTPClientTransport(options.url, {
      requestInit: { headers: { ...options.headers } },
      // A few quick tries for a broken GET stream; past them the bridge's own backoff takes over.
      reconnectionOptions: {
        initialReconnectionDelay: 250,
        maxReconnectionDelay: 2_000,
        reconnectionDelayGrowFactor: 2,
        maxRetries: 3,
      },
    });
    this.#transport.onmessage = (message) => this.#events.message(message as unknown as JsonRpcMessage);
    this.#transport.onerror = (error) => {
      // Runs before a failing send() rejects: only what no send claimed is a stream failure.
      setImmediate(() => {
        if (!this.#claimed.has(error)) this.#streamError(error);
      });
    };
  }

  /**
   * Starts the transport once. After a drop it reopens the GET stream of an initialized session,
   * which is the probe that the remote is back (409: the old stream still runs).
   */
  async open(): Promise<boolean> {
    if (!this.#started) {
      this.#started = true;
      await this.#transport.start();
      return false;
    }
    if (!this.#initialized || this.#transport.sessionId === undefined) return false;
    try {
      // An empty resumption token opens a plain GET stream (no Last-Event-ID).
      await this.#transport.resumeStream("");
    } catch (error) {
      this.#claimed.add(error as object);
      const failure = classify(error, "GET stream");
      if (failure.status !== 409) throw failure;
    }
    return true;
  }

  async send(message: JsonRpcMessage, streamEnded?: () => void): Promise<void> {
    try {
      await this.#transport.send(
        message as unknown as JSONRPCMessage,
        streamEnded ? { onRequestStreamEnd: streamEnded } : undefined,
      );
    } catch (error) {
      this.#claimed.add(error as object);
      throw classify(error, `POST ${message.method ?? "response"}`);
    }
    if (message.method === "notifications/initialized") this.#initialized = true;
  }

  setProtocolVersion(version: string): void {
    this.#transport.setProtocolVersion(version);
  }

  async close(endSession: boolean): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (endSession && this.#transport.sessionId !== undefined) {
      await this.#transport.terminateSession().catch((error: unknown) => {
        this.#log("debug", `could not end the remote session: ${(error as Error).message}`);
      });
    }
    await this.#transport.close();
  }

  #streamError(error: Error): void {
    if (this.#closed) return;
    if (SdkHttpError.isInstance(error) && error.status === 404) {
      this.#events.dropped("the remote server no longer knows the session (404)", true);
      return;
    }
    if (/Maximum reconnection attempts/.test(error.message)) {
      this.#events.dropped(`the GET stream could not be reopened: ${error.message}`, false);
      return;
    }
    this.#log("debug", `streamable HTTP: ${error.message}`);
  }
}

function classify(error: unknown, what: string): RemoteLinkError {
  if (error instanceof RemoteLinkError) return error;
  if (SdkHttpError.isInstance(error)) {
    const status = (error as SdkHttpError).status;
    if (typeof status === "number") return fromStatus(status, what);
  }
  if (error instanceof TypeError) return unreachable(error, what);
  return new RemoteLinkError("rejected", `${what}: ${(error as Error).message}`, { cause: error });
}
