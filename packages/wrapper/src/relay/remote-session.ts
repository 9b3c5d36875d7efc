import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { type JsonRpcMessage, negotiatedProtocolVersion } from "../json-rpc/json-rpc.js";
import type { WrapperLogger } from "../logger.js";
import { LegacySseConnection } from "../remote/legacy-sse-connection.js";
import type { RemoteConnection, RemoteEvents, RemoteTarget } from "../remote/remote-connection.js";
import { StreamableHttpConnection } from "../remote/streamable-http-connection.js";
import { RemoteHttpError, WrapperError } from "../wrapper-error.js";
import { ClientSession } from "./client-session.js";

/** Options of {@link RemoteSession}. */
export interface RemoteSessionOptions {
  readonly target: RemoteTarget;
  /** How long the wrapper's own handshake requests (re-initialize, SSE endpoint) may take. */
  readonly handshakeTimeoutMs: number;
  readonly logger: WrapperLogger;
  /** Every message from the remote except answers to the wrapper's own requests. */
  readonly onMessage: (message: JsonRpcMessage, connection: RemoteConnection) => void;
  /** `stale` was replaced: answers to requests sent on it will never come. */
  readonly onAbandoned: (stale: RemoteConnection) => void;
}

/** An initialize POST answered with one of these is not a reason to try the old SSE transport. */
const NO_FALLBACK_STATUSES = new Set([401, 403, 407, 429]);
const DELETE_GRACE_MS = 3_000;

/**
 * Owns the connection to the remote: opens it for the client's `initialize` (or statelessly for
 * a 2026 client), falls back to HTTP+SSE, and when the remote forgets the session (404, dropped
 * SSE stream) opens a new one with the client's own `initialize` params, replaying its log level
 * and subscriptions. Concurrent callers that find the session gone share one re-open.
 */
export class RemoteSession {
  readonly #options: RemoteSessionOptions;
  readonly #log: WrapperLogger;
  readonly #events: RemoteEvents;
  readonly #internal = new Map<string, (answer: JsonRpcMessage) => void>();
  #connection: RemoteConnection | undefined;
  #client: ClientSession | undefined;
  #reopening: Promise<RemoteConnection> | undefined;
  #closing = false;

  constructor(options: RemoteSessionOptions) {
    this.#options = options;
    this.#log = options.logger;
    this.#events = {
      onMessage: (message, connection) => {
        const internal = typeof message.id === "string" ? this.#internal.get(message.id) : undefined;
        if (internal && message.method === undefined) internal(message);
        else if (!this.#closing) options.onMessage(message, connection);
      },
      onLost: (connection, cause) => this.#onLost(connection, cause),
      onDiagnostic: (error) => this.#log("debug", `transport: ${describe(error)}`),
    };
  }

  /** The client's session state; `undefined` until it sends `initialize`. */
  get client(): ClientSession | undefined {
    return this.#client;
  }

  /** The connection messages from the remote are accepted on. */
  get current(): RemoteConnection | undefined {
    return this.#connection;
  }

  /** Starts the session of a client `initialize`; a previous session is ended. */
  begin(initializeParams: unknown): RemoteConnection {
    const previous = this.#connection;
    if (previous) void this.#end(previous);
    this.#client = new ClientSession(initializeParams);
    this.#connection = StreamableHttpConnection.open(this.#options.target, this.#events);
    return this.#connection;
  }

  /**
   * After the initialize POST failed with `original`: when that was a 4xx, as the 2025 spec's
   * backwards-compatibility section says, tries the old HTTP+SSE transport on the same URL.
   * Throws `original` when that does not apply or does not work.
   */
  async fallBackToSse(original: unknown): Promise<RemoteConnection> {
    if (
      !(original instanceof RemoteHttpError) ||
      original.status >= 500 ||
      NO_FALLBACK_STATUSES.has(original.status)
    )
      throw original;
    let legacy: LegacySseConnection;
    try {
      legacy = await LegacySseConnection.open(
        this.#options.target,
        this.#events,
        this.#options.handshakeTimeoutMs,
      );
    } catch (error) {
      this.#log("debug", `HTTP+SSE fallback failed: ${describe(error)}`);
      throw original;
    }
    this.#log("info", "the remote does not serve streamable HTTP; using the HTTP+SSE transport");
    const replaced = this.#connection;
    this.#connection = legacy;
    if (replaced) void replaced.close();
    return legacy;
  }

  /** Records the version the remote chose for the client's `initialize`. */
  initialized(version: string, connection: RemoteConnection): void {
    if (this.#client) this.#client.protocolVersion = version;
    connection.setProtocolVersion(version);
  }

  /** The connection to send on: the current one, a new session after a loss, or a stateless one. */
  async usable(): Promise<RemoteConnection> {
    if (this.#reopening !== undefined) return this.#reopening;
    const current = this.#connection;
    if (current?.lost && this.#client?.established) return this.reopen(current);
    if (current) return current;
    // No initialize (a 2026-07-28 client): requests go out statelessly.
    this.#connection = StreamableHttpConnection.open(this.#options.target, this.#events);
    return this.#connection;
  }

  /** True when `error` from sending on `connection` means the remote forgot the session. */
  isGone(error: unknown, connection: RemoteConnection): boolean {
    if (!this.#client?.established) return false;
    return connection.lost || (error instanceof RemoteHttpError && error.status === 404);
  }

  /** One new session for everyone who found `stale` gone. */
  reopen(stale: RemoteConnection): Promise<RemoteConnection> {
    const current = this.#connection;
    if (current && current !== stale && !current.lost) return Promise.resolve(current);
    this.#reopening ??= this.#openNewSession(stale).finally(() => {
      this.#reopening = undefined;
    });
    return this.#reopening;
  }

  /** Ends the remote session (DELETE) and closes every stream. */
  async close(): Promise<void> {
    this.#closing = true;
    const connection = this.#connection;
    this.#connection = undefined;
    if (connection) await this.#end(connection);
  }

  #onLost(connection: RemoteConnection, cause: unknown): void {
    if (connection !== this.#connection || this.#closing) return;
    this.#log("info", `the remote session ended (${describe(cause)})`);
    if (!this.#client?.established) return;
    this.reopen(connection).catch((error: unknown) => {
      this.#log(
        "warn",
        `could not open a new session yet (${describe(error)}); retrying on the next message`,
      );
    });
  }

  async #openNewSession(stale: RemoteConnection): Promise<RemoteConnection> {
    const client = this.#client;
    if (client === undefined) throw new WrapperError("connection_lost", "no session to re-open");
    this.#log("info", "opening a new remote session with the client's initialize parameters");
    const { target, handshakeTimeoutMs } = this.#options;
    const fresh =
      stale.kind === "sse"
        ? await LegacySseConnection.open(target, this.#events, handshakeTimeoutMs)
        : StreamableHttpConnection.open(target, this.#events);
    try {
      const answer = await this.#request(fresh, "initialize", client.initializeParams);
      if (answer.error !== undefined)
        throw new WrapperError("connection_lost", "the remote refused initialize");
      const version = negotiatedProtocolVersion(answer);
      if (version !== undefined) {
        fresh.setProtocolVersion(version);
        if (version !== client.protocolVersion) {
          this.#log("warn", `the new session negotiated ${version}, not ${client.protocolVersion}`);
        }
      }
      if (client.initializedSent) await fresh.send({ jsonrpc: "2.0", method: "notifications/initialized" });
      for (const { method, params } of client.replay()) {
        const restored = await this.#request(fresh, method, params);
        if (restored.error !== undefined) this.#log("warn", `the new session refused ${method} again`);
      }
      if (this.#closing) throw new WrapperError("closed", "shutting down");
    } catch (error) {
      await this.#end(fresh);
      throw error;
    }
    this.#connection = fresh;
    this.#options.onAbandoned(stale);
    void stale.close();
    this.#log("info", "new remote session ready");
    return fresh;
  }

  /** A request of the wrapper's own, with an id no client uses; its answer never reaches stdout. */
  #request(connection: RemoteConnection, method: string, params: unknown): Promise<JsonRpcMessage> {
    const id = `mcpwrapper-${randomUUID()}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#internal.delete(id);
        reject(new WrapperError("timeout", `no answer to ${method}`));
      }, this.#options.handshakeTimeoutMs);
      this.#internal.set(id, (answer) => {
        clearTimeout(timer);
        this.#internal.delete(id);
        resolve(answer);
      });
      connection.send({ jsonrpc: "2.0", id, method, params }).catch((error: unknown) => {
        clearTimeout(timer);
        this.#internal.delete(id);
        reject(error);
      });
    });
  }

  async #end(connection: RemoteConnection): Promise<void> {
    const grace = new AbortController();
    try {
      await Promise.race([
        connection.terminate(),
        sleep(DELETE_GRACE_MS, undefined, { signal: grace.signal }),
      ]);
    } catch (error) {
      this.#log("debug", `could not end the remote session: ${describe(error)}`);
    } finally {
      grace.abort();
      await connection.close();
    }
  }
}

/** A short description for logs: never a URL with credentials, never a header. */
export function describe(error: unknown): string {
  if (error instanceof RemoteHttpError) return `HTTP ${error.status}`;
  return error instanceof Error ? error.message : String(error);
}
