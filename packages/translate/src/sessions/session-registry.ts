import { randomUUID } from "node:crypto";
import { SupervisorError } from "@contextforge/mcp-transport";
import type { TranslateLogger } from "../logger.js";
import {
  type ChildChannel,
  type ChildConnector,
  type ChildContext,
  DEFAULT_CHILD_CONTEXT,
} from "../relay/child-channel.js";
import type { JsonRpcId, JsonRpcMessage } from "../relay/json-rpc.js";
import { TranslateError } from "../translate-error.js";

/** The downstream kinds of session. */
export type SessionTransport = "sse" | "streamable-http" | "websocket";

/** How a downstream endpoint receives what the child says, and is told to end. */
export interface DownstreamSink {
  deliver(message: JsonRpcMessage, relatedRequestId: JsonRpcId | undefined): void;
  /** End the downstream side (close the stream or socket); the child side is already released. */
  end(reason: string): void;
}

/** An open session as an endpoint holds it. */
export interface RelaySession {
  readonly id: string;
  readonly pid: number;
  /** Forwards client messages to the child. */
  send(message: JsonRpcMessage): void;
  /** Ends the session: releases its child and ends the downstream side; idempotent. */
  end(reason: string): void;
}

/** Options of {@link SessionRegistry}. */
export interface SessionRegistryOptions {
  readonly connector: ChildConnector;
  readonly maxSessions: number;
  /**
   * A streamable HTTP session with no message either way (and no request running) for this long
   * ends; 0: never.
   */
  readonly idleTimeoutMs: number;
  readonly log: TranslateLogger;
}

interface Entry {
  readonly session: RelaySession;
  readonly transport: SessionTransport;
  channel: ChildChannel | undefined;
  lastActivity: number;
  idleTimer: NodeJS.Timeout | undefined;
}

/**
 * Every open downstream session: opens its child channel, enforces `maxSessions`, ends idle
 * sessions, and ends them all on close.
 */
export class SessionRegistry {
  readonly #options: SessionRegistryOptions;
  readonly #entries = new Map<string, Entry>();
  #closed = false;

  constructor(options: SessionRegistryOptions) {
    this.#options = options;
  }

  /** Sessions open (or opening) now. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Opens a session with its child channel (the child chosen by `context`). Rejects with a
   * {@link TranslateError}: `session_limit` or `child_unavailable`.
   */
  async open(
    transport: SessionTransport,
    sink: DownstreamSink,
    context: ChildContext = DEFAULT_CHILD_CONTEXT,
  ): Promise<RelaySession> {
    const { maxSessions, connector, log } = this.#options;
    if (this.#closed) throw new TranslateError("child_unavailable", "mcptranslate is shutting down");
    if (this.#entries.size >= maxSessions) {
      throw new TranslateError("session_limit", `session limit reached (${maxSessions} open sessions)`);
    }
    const id = randomUUID();
    let ended = false;
    const session: RelaySession = {
      id,
      get pid(): number {
        return entry.channel?.pid ?? -1;
      },
      send: (message) => {
        entry.lastActivity = Date.now();
        entry.channel?.send(message);
      },
      end: (reason) => {
        if (ended) return;
        ended = true;
        this.#entries.delete(id);
        clearTimeout(entry.idleTimer);
        entry.channel?.close();
        log("info", `${transport} session ${id} ended: ${reason}`);
        sink.end(reason);
      },
    };
    const entry: Entry = {
      session,
      transport,
      channel: undefined,
      lastActivity: Date.now(),
      idleTimer: undefined,
    };
    this.#entries.set(id, entry);
    try {
      entry.channel = await connector.open(
        id,
        {
          deliver: (message, related) => {
            entry.lastActivity = Date.now();
            sink.deliver(message, related);
          },
          lost: (reason) => session.end(reason),
        },
        context,
      );
    } catch (cause) {
      this.#entries.delete(id);
      throw childUnavailable(cause);
    }
    if (ended || this.#closed) {
      entry.channel.close();
      throw new TranslateError("child_unavailable", "mcptranslate is shutting down");
    }
    // SSE and WebSocket sessions end with their connection; a streamable HTTP session has none.
    if (transport === "streamable-http") this.#armIdleTimer(entry, this.#options.idleTimeoutMs);
    const served = entry.channel.description ?? `stdio server pid ${entry.channel.pid}`;
    log("info", `${transport} session ${id} opened (${served})`);
    return session;
  }

  /** Ends every session and refuses new ones. */
  close(reason: string): void {
    this.#closed = true;
    for (const { session } of [...this.#entries.values()]) session.end(reason);
  }

  #armIdleTimer(entry: Entry, delayMs: number): void {
    const { idleTimeoutMs } = this.#options;
    if (idleTimeoutMs <= 0) return;
    entry.idleTimer = setTimeout(() => {
      const idleFor = Date.now() - entry.lastActivity;
      // A long tool call with no messages is not idleness.
      if ((entry.channel?.pendingRequests ?? 0) > 0) {
        this.#armIdleTimer(entry, idleTimeoutMs);
        return;
      }
      if (idleFor < idleTimeoutMs) {
        this.#armIdleTimer(entry, idleTimeoutMs - idleFor);
        return;
      }
      entry.session.end(`idle for ${idleTimeoutMs} ms`);
    }, delayMs);
    entry.idleTimer.unref();
  }
}

function childUnavailable(cause: unknown): TranslateError {
  if (cause instanceof SupervisorError) {
    return new TranslateError("child_unavailable", `the stdio server is not available: ${cause.message}`, {
      cause,
      ...(cause.retryAt === undefined ? {} : { retryAt: cause.retryAt }),
    });
  }
  return new TranslateError("child_unavailable", "the stdio server is not available", { cause });
}
