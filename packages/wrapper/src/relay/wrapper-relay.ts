import type { DecodedLine } from "@contextforge/mcp-transport";
import { toErrorResponse } from "../json-rpc/error-response.js";
import {
  cancelledRequestId,
  ERROR_CODES,
  errorResponse,
  idKey,
  isId,
  isJsonRpcMessage,
  isNotification,
  isRequest,
  isResponse,
  type JsonRpcMessage,
  type JsonRpcRequest,
  negotiatedProtocolVersion,
} from "../json-rpc/json-rpc.js";
import type { WrapperLogger } from "../logger.js";
import type { RemoteConnection, RemoteTarget } from "../remote/remote-connection.js";
import { WrapperError } from "../wrapper-error.js";
import { ConcurrencyGate } from "./concurrency-gate.js";
import { PendingRequest } from "./pending-request.js";
import { describe, RemoteSession } from "./remote-session.js";

/** Options of {@link WrapperRelay}. */
export interface WrapperRelayOptions {
  readonly target: RemoteTarget;
  /** A request not answered within this many milliseconds gets an error; 0 disables the limit. */
  readonly timeoutMs: number;
  /** Requests in flight to the remote at once; later ones wait. */
  readonly concurrency: number;
  readonly logger: WrapperLogger;
  /** Writes one message to the stdio client. */
  readonly write: (message: JsonRpcMessage) => void;
}

/** Long-lived by design: the stream stays open until the client cancels it. */
const UNTIMED_METHODS = new Set(["subscriptions/listen"]);

/**
 * Relays JSON-RPC between one stdio client and a remote MCP server, message for message: the
 * client's `initialize` goes out as it is (so the client negotiates its own version and
 * capabilities), requests are matched to answers by the client's own ids, and everything the
 * remote sends (notifications, sampling, elicitation and roots requests) is written to stdout.
 */
export class WrapperRelay {
  readonly #options: WrapperRelayOptions;
  readonly #log: WrapperLogger;
  readonly #gate: ConcurrencyGate;
  readonly #remote: RemoteSession;
  readonly #pending = new Map<string, PendingRequest>();
  /** Settles once the client's `initialize` is answered; later messages wait for it. */
  #ready: Promise<void> = Promise.resolve();
  /** Notifications and responses reach the remote in the order the client sent them. */
  #order: Promise<void> = Promise.resolve();
  #closing = false;
  #closed: Promise<void> | undefined;

  constructor(options: WrapperRelayOptions) {
    this.#options = options;
    this.#log = options.logger;
    this.#gate = new ConcurrencyGate(options.concurrency);
    this.#remote = new RemoteSession({
      target: options.target,
      handshakeTimeoutMs: options.timeoutMs > 0 ? options.timeoutMs : 60_000,
      logger: options.logger,
      onMessage: (message, connection) => this.#onRemoteMessage(message, connection),
      onAbandoned: (stale) => {
        for (const pending of this.#pending.values()) {
          if (pending.connection === stale) {
            this.#fail(pending, new WrapperError("connection_lost", "the remote session ended"));
          }
        }
      },
    });
  }

  /** Handles one line read from stdin. */
  receive(line: DecodedLine): void {
    if (!line.ok) {
      this.#log("warn", `stdin: not JSON (${line.error})`);
      this.#write(errorResponse(null, ERROR_CODES.parseError, "Parse error"));
      return;
    }
    const value = line.message;
    if (!isJsonRpcMessage(value)) {
      const message = Array.isArray(value) ? "JSON-RPC batches are not supported" : "Invalid Request";
      this.#write(errorResponse(idOf(value), ERROR_CODES.invalidRequest, message));
    } else if (isRequest(value)) {
      this.#onRequest(value);
    } else if (isNotification(value)) {
      this.#onNotification(value);
    } else if (isResponse(value)) {
      this.#forwardInOrder(value, false);
    } else {
      this.#write(errorResponse(idOf(value), ERROR_CODES.invalidRequest, "Invalid Request"));
    }
  }

  /**
   * Resolves once every request read so far is settled and every message forwarded. Streams that
   * only end when cancelled (`subscriptions/listen`) are closed instead of waited for.
   */
  async drain(): Promise<void> {
    for (const pending of this.#pending.values()) {
      if (UNTIMED_METHODS.has(pending.request.method) && pending.settle()) {
        this.#pending.delete(idKey(pending.request.id));
        pending.abort.abort(new WrapperError("closed", "stdin ended"));
      }
    }
    await Promise.all([...this.#pending.values()].map((pending) => pending.done));
    await this.#order;
  }

  /** Abandons pending requests, ends the remote session (DELETE) and closes every stream. */
  close(): Promise<void> {
    this.#closing = true;
    this.#closed ??= (async () => {
      for (const pending of this.#pending.values()) {
        pending.settle();
        pending.abort.abort(new WrapperError("closed", "mcpwrapper is shutting down"));
      }
      this.#pending.clear();
      await this.#remote.close();
    })();
    return this.#closed;
  }

  #onRequest(request: JsonRpcRequest): void {
    const key = idKey(request.id);
    if (this.#pending.has(key)) {
      this.#write(errorResponse(request.id, ERROR_CODES.invalidRequest, "Request id already in use"));
      return;
    }
    if (this.#closing) {
      this.#write(toErrorResponse(request.id, new WrapperError("closed", "shutting down")));
      return;
    }
    const pending = new PendingRequest(request);
    this.#pending.set(key, pending);
    if (!UNTIMED_METHODS.has(request.method)) {
      pending.startTimer(this.#options.timeoutMs, () => this.#onTimeout(pending));
    }
    if (request.method === "initialize") void this.#initialize(pending);
    else void this.#forward(pending, this.#ready, this.#order);
  }

  async #initialize(pending: PendingRequest): Promise<void> {
    let opened = (): void => {};
    this.#ready = new Promise((resolve) => {
      opened = resolve;
    });
    try {
      const connection = this.#remote.begin(pending.request.params);
      try {
        await this.#send(pending, connection);
      } catch (error) {
        if (pending.settled) return;
        await this.#send(pending, await this.#remote.fallBackToSse(error));
      }
      await pending.done;
    } catch (error) {
      this.#fail(pending, error);
    } finally {
      opened();
    }
  }

  async #forward(pending: PendingRequest, ready: Promise<void>, before: Promise<void>): Promise<void> {
    try {
      await ready;
      await before;
      pending.holdSlot(await this.#gate.acquire(pending.abort.signal));
      if (pending.settled) return;
      let connection = await this.#remote.usable();
      for (;;) {
        try {
          await this.#send(pending, connection);
          return;
        } catch (error) {
          if (pending.settled) return;
          if (pending.retried || pending.stateless || !this.#remote.isGone(error, connection)) throw error;
          // The remote forgot the session (a gateway restart): open a new one, send once more.
          pending.retried = true;
          pending.connection = undefined;
          connection = await this.#remote.reopen(connection);
        }
      }
    } catch (error) {
      this.#fail(pending, error);
    }
  }

  #send(pending: PendingRequest, connection: RemoteConnection): Promise<void> {
    pending.connection = connection;
    this.#log("debug", `-> ${pending.request.method} (id ${String(pending.request.id)})`);
    return connection.send(pending.request, {
      signal: pending.abort.signal,
      onStreamEnd: () => {
        // The stream ended and, after the SDK's resumption attempts, no answer came.
        if (!pending.settled && pending.connection === connection) {
          this.#fail(pending, new WrapperError("connection_lost", "the response stream ended"));
        }
      },
    });
  }

  #onNotification(message: JsonRpcMessage & { method: string }): void {
    if (message.method === "notifications/cancelled") {
      const id = cancelledRequestId(message);
      const pending = id === undefined ? undefined : this.#pending.get(idKey(id));
      if (pending) {
        if (!pending.settle()) return;
        this.#pending.delete(idKey(pending.request.id));
        const sent = pending.connection !== undefined;
        // A 2026 request is cancelled by closing its stream; a queued one never left.
        pending.abort.abort(new WrapperError("closed", "cancelled by the client"));
        if (!sent || pending.stateless) return;
      }
    }
    const client = this.#remote.client;
    if (message.method === "notifications/initialized" && client) client.initializedSent = true;
    this.#forwardInOrder(message, true);
  }

  /** Forwards a notification or a response after the messages the client sent before it. */
  #forwardInOrder(message: JsonRpcMessage, resendAfterReopen: boolean): void {
    const ready = this.#ready;
    this.#order = this.#order
      .then(async () => {
        await ready;
        if (this.#closing) return;
        let connection = await this.#remote.usable();
        try {
          await connection.send(message);
        } catch (error) {
          // An answer to a request of the lost session has nobody left to receive it.
          if (!resendAfterReopen || !this.#remote.isGone(error, connection)) throw error;
          connection = await this.#remote.reopen(connection);
          await connection.send(message);
        }
      })
      .catch((error: unknown) => {
        this.#log("warn", `could not forward ${message.method ?? "a response"}: ${describe(error)}`);
      });
  }

  #onTimeout(pending: PendingRequest): void {
    if (!pending.settle()) return;
    this.#pending.delete(idKey(pending.request.id));
    const { request } = pending;
    const seconds = this.#options.timeoutMs / 1000;
    this.#log("warn", `${request.method} (id ${String(request.id)}) timed out after ${seconds} s`);
    this.#write(
      toErrorResponse(request.id, new WrapperError("timeout", `Request timed out after ${seconds} s`)),
    );
    const connection = pending.connection;
    // The spec forbids cancelling initialize; a 2026 request is cancelled by the abort below.
    if (connection && !pending.stateless && request.method !== "initialize") {
      const cancel: JsonRpcMessage = {
        jsonrpc: "2.0",
        method: "notifications/cancelled",
        params: { requestId: request.id, reason: `mcpwrapper: timed out after ${seconds} s` },
      };
      connection.send(cancel).catch((error: unknown) => this.#log("debug", `cancel: ${describe(error)}`));
    }
    pending.abort.abort(new WrapperError("timeout", "timed out"));
  }

  #onRemoteMessage(message: JsonRpcMessage, connection: RemoteConnection): void {
    if (!isResponse(message)) {
      // A replaced session's late notifications and requests have no client left.
      if (connection !== this.#remote.current) return;
      this.#log("debug", `<- ${message.method ?? "message"}`);
      this.#write(message);
      return;
    }
    const pending = this.#pending.get(idKey(message.id));
    if (!pending?.settle()) {
      this.#log("debug", `dropped an answer to a request no longer pending (id ${message.id})`);
      return;
    }
    this.#pending.delete(idKey(message.id));
    const version = pending.request.method === "initialize" ? negotiatedProtocolVersion(message) : undefined;
    if (version !== undefined) this.#remote.initialized(version, connection);
    this.#remote.client?.recordSuccess(pending.request, message);
    this.#log("debug", `<- answer (id ${message.id})`);
    this.#write(message);
  }

  #fail(pending: PendingRequest, error: unknown): void {
    if (!pending.settle()) return;
    this.#pending.delete(idKey(pending.request.id));
    this.#log(
      "warn",
      `${pending.request.method} (id ${String(pending.request.id)}) failed: ${describe(error)}`,
    );
    this.#write(toErrorResponse(pending.request.id, error));
  }

  #write(message: JsonRpcMessage): void {
    if (!this.#closing) this.#options.write(message);
  }
}

function idOf(value: unknown): string | number | null {
  const id = typeof value === "object" && value !== null ? (value as { id?: unknown }).id : undefined;
  return isId(id) ? id : null;
}
