import { backoffDelay, type ResolvedBackoff } from "@contextforge/mcp-transport";
import type { TranslateLogger } from "../logger.js";
import {
  errorResponse,
  idKey,
  isRequest,
  isResponse,
  type JsonRpcId,
  type JsonRpcMessage,
} from "../relay/json-rpc.js";
import { type RemoteLink, RemoteLinkError, type RemoteLinkEvents } from "./remote-link.js";
import { SessionMemory } from "./session-memory.js";

/** JSON-RPC error code of the answers the bridge itself gives (implementation-defined range). */
export const BRIDGE_ERROR = -32000;
/** Client messages held while the remote is unreachable; past this, requests are refused. */
const MAX_QUEUED = 1_000;
/** How long a new session may take to answer the replayed `initialize`. */
const SET_UP_TIMEOUT_MS = 30_000;

/** Options of {@link RemoteBridge}. */
export interface RemoteBridgeOptions {
  /** A new connection to the remote (not opened yet). */
  readonly createLink: (events: RemoteLinkEvents) => RemoteLink;
  /** Delivers a message to the local client. */
  readonly toClient: (message: JsonRpcMessage) => void;
  readonly backoff: ResolvedBackoff;
  /** Consecutive failed attempts before giving up; 0: never give up. */
  readonly maxRetries: number;
  readonly log: TranslateLogger;
  /** The remote stayed unreachable for `maxRetries` attempts, or refused the connection. */
  readonly onGiveUp: (reason: string) => void;
}

interface Outgoing {
  /** Arrival order: messages held during a reconnect go out in this order. */
  readonly seq: number;
  readonly message: JsonRpcMessage;
}

interface InFlight {
  readonly request: JsonRpcMessage & { id: JsonRpcId };
  readonly link: RemoteLink;
  /** The send completed: the request reached the remote (else its send is still settling). */
  delivered: boolean;
  /** Called once the request is done with (answered, refused or lost). */
  readonly settle: () => void;
}

type State = "connecting" | "ready" | "closed";

/**
 * Carries one local client's messages to a remote MCP server and back, through whatever link
 * (streamable HTTP, SSE, WebSocket). While the remote is unreachable, at start or after a drop,
 * client messages are held and the link is reopened with exponential backoff; a message that did
 * not reach the remote is sent again afterwards. When the remote session is gone (SSE and
 * WebSocket always lose it with the connection, streamable HTTP on a 404), a new one is opened
 * with the client's own `initialize` and set up again ({@link SessionMemory}), so the client keeps
 * its session. A request that had reached the old session gets an error answer: it may or may not
 * have run.
 */
export class RemoteBridge {
  readonly #options: RemoteBridgeOptions;
  readonly #memory = new SessionMemory();
  readonly #inflight = new Map<string, InFlight>();
  readonly #internal = new Map<string, (message: JsonRpcMessage) => void>();
  readonly #stopWaiting = new AbortController();
  #queue: Outgoing[] = [];
  #link: RemoteLink | undefined;
  #state: State = "connecting";
  #seq = 0;
  #failures = 0;
  /** The remote has been reached since the last (re)connect: "connected" was logged. */
  #reached = false;
  #internalIds = 0;
  /** Notifications and responses go out in order with what follows them. */
  #barrier: Promise<unknown> = Promise.resolve();

  constructor(options: RemoteBridgeOptions) {
    this.#options = options;
  }

  /** Starts connecting (client messages are held until the remote is reached). */
  start(): void {
    void this.#connect(false);
  }

  /** A message from the local client. */
  fromClient(message: JsonRpcMessage): void {
    if (this.#state === "closed") return;
    const out = { seq: this.#seq++, message };
    if (this.#state === "ready" && this.#link) {
      this.#deliver(out, this.#link);
      return;
    }
    if (this.#queue.length >= MAX_QUEUED && isRequest(message)) {
      this.#refuse(message.id, "the remote MCP server is unreachable and too many messages are waiting");
      return;
    }
    this.#hold(out);
  }

  /** Stops: closes the link and, when `endSession`, ends the remote session. Idempotent. */
  async close(endSession: boolean): Promise<void> {
    if (this.#state === "closed") return;
    this.#state = "closed";
    this.#stopWaiting.abort();
    await this.#link?.close(endSession);
  }

  #deliver(out: Outgoing, link: RemoteLink): void {
    const { message } = out;
    const request = isRequest(message) ? message : undefined;
    const key = request ? idKey(request.id) : undefined;
    let settled: Promise<void> | undefined;
    let entry: InFlight | undefined;
    if (request && key) {
      let settle = (): void => {};
      settled = new Promise((resolve) => {
        settle = resolve;
      });
      entry = { request, link, delivered: false, settle };
      this.#inflight.set(key, entry);
    }
    const sending = this.#barrier.then(() => {
      if (this.#link !== link || this.#state !== "ready") {
        throw new RemoteLinkError("unreachable", "not sent: the connection is being reopened");
      }
      return link.send(message, key === undefined ? undefined : () => this.#streamEnded(key, link));
    });
    // What follows a notification or response waits until it is accepted; what follows an
    // initialize waits for its answer (over HTTP that brings the session id).
    if (!request) this.#barrier = sending.catch(() => {});
    else if (request.method === "initialize") this.#barrier = sending.then(() => settled).catch(() => {});
    sending.then(
      () => {
        this.#failures = 0;
        this.#announce();
        if (entry) entry.delivered = true;
        if (!request) this.#memory.delivered(message);
        // Sent on a link that has been replaced meanwhile: its answer will not come.
        else if (this.#link !== link) this.#lost(request.id, link);
      },
      (error: unknown) => this.#sendFailed(out, link, error),
    );
  }

  #sendFailed(out: Outgoing, link: RemoteLink, error: unknown): void {
    if (this.#state === "closed") return;
    const failure =
      error instanceof RemoteLinkError
        ? error
        : new RemoteLinkError("rejected", (error as Error).message, { cause: error });
    const { message } = out;
    if (isRequest(message)) this.#take(idKey(message.id));
    if (failure.code === "rejected") {
      this.#options.log(
        "warn",
        `the remote server refused ${message.method ?? "a response"}: ${failure.message}`,
      );
      if (isRequest(message))
        this.#refuse(message.id, `the remote MCP server refused the request (${failure.message})`);
      return;
    }
    // Nothing reached the remote: the message goes again, at once when a newer link is up.
    if (this.#state === "ready" && this.#link !== undefined && this.#link !== link) {
      this.#deliver(out, this.#link);
      return;
    }
    this.#hold(out);
    this.#reconnect(link, failure.code === "session_lost" || link.reconnectIsNewSession, failure.message);
  }

  #fromRemote(link: RemoteLink, message: JsonRpcMessage): void {
    if (this.#state === "closed" || link !== this.#link) return;
    if (!isResponse(message)) {
      this.#options.toClient(message);
      return;
    }
    const key = idKey(message.id);
    const internal = this.#internal.get(key);
    if (internal) {
      this.#internal.delete(key);
      internal(message);
      return;
    }
    const entry = this.#take(key);
    // Already answered by the bridge (the link was replaced while it ran): one answer only.
    if (!entry) return;
    this.#memory.answered(entry.request, message);
    if (entry.request.method === "initialize" && this.#memory.protocolVersion !== undefined) {
      link.setProtocolVersion(this.#memory.protocolVersion);
    }
    this.#options.toClient(message);
  }

  #streamEnded(key: string, link: RemoteLink): void {
    if (this.#inflight.get(key)?.link !== link) return;
    const entry = this.#take(key);
    if (entry)
      this.#refuse(entry.request.id, "the remote MCP server closed the response stream without answering");
  }

  #dropped(link: RemoteLink, reason: string, sessionLost: boolean): void {
    this.#reconnect(link, sessionLost || link.reconnectIsNewSession, reason);
  }

  #reconnect(link: RemoteLink, newSession: boolean, reason: string): void {
    if (this.#state !== "ready" || link !== this.#link) return;
    this.#state = "connecting";
    this.#reached = false;
    this.#failures++;
    this.#options.log("warn", `the remote MCP server is unreachable or dropped (${reason}); reconnecting`);
    if (newSession) {
      this.#link = undefined;
      void link.close(false);
      for (const entry of [...this.#inflight.values()]) {
        if (entry.link === link && entry.delivered) this.#lost(entry.request.id, link);
      }
    }
    void this.#connect(newSession);
  }

  async #connect(newSession: boolean): Promise<void> {
    let setUp = newSession;
    while (this.#state === "connecting") {
      const { maxRetries, backoff, log } = this.#options;
      if (maxRetries > 0 && this.#failures > maxRetries) {
        this.#giveUp(`the remote MCP server is still unreachable after ${maxRetries} retries`);
        return;
      }
      const delay = backoffDelay(backoff, this.#failures);
      if (delay > 0) {
        log("info", `retrying in ${delay} ms (attempt ${this.#failures + 1})`);
        if (!(await this.#wait(delay))) return;
      }
      const link = this.#link ?? this.#newLink();
      try {
        const reached = await link.open();
        if (setUp && this.#memory.initialized) await this.#setUpSession(link);
        if (this.#state !== "connecting") return;
        if (reached || setUp) this.#failures = 0;
        this.#state = "ready";
        if (reached) this.#announce();
        const held = this.#queue;
        this.#queue = [];
        for (const out of held) this.#deliver(out, link);
        return;
      } catch (error) {
        if (this.#state !== "connecting") return;
        const failure = error as RemoteLinkError;
        this.#failures++;
        log("warn", `could not reach the remote MCP server: ${failure.message}`);
        if (failure.code === "rejected") {
          this.#giveUp(`the remote MCP server refused the connection (${failure.message})`);
          return;
        }
        if (link.reconnectIsNewSession || failure.code === "session_lost") {
          this.#link = undefined;
          await link.close(false);
          setUp = true;
        }
      }
    }
  }

  /** Opens a new remote session the way the client had opened the lost one. */
  async #setUpSession(link: RemoteLink): Promise<void> {
    const initialize = this.#memory.initializeRequest();
    if (!initialize) return;
    const result = await this.#internalRequest(link, initialize);
    const version = (result.result as { protocolVersion?: unknown } | undefined)?.protocolVersion;
    if (typeof version === "string") {
      link.setProtocolVersion(version);
      if (version !== this.#memory.protocolVersion) {
        this.#options.log(
          "warn",
          `the new remote session chose protocol ${version}, not ${this.#memory.protocolVersion}`,
        );
      }
    }
    const { notification, requests } = this.#memory.setUp();
    if (notification) await link.send(notification);
    for (const request of requests) {
      try {
        await this.#internalRequest(link, request);
      } catch (error) {
        // The new session refusing a subscription or log level is no reason to drop the client.
        if ((error as RemoteLinkError).code !== "rejected") throw error;
        this.#options.log("warn", `could not restore ${request.method}: ${(error as Error).message}`);
      }
    }
    this.#options.log("info", "opened a new remote session for the client");
  }

  async #internalRequest(link: RemoteLink, request: JsonRpcMessage): Promise<JsonRpcMessage> {
    const id = `mcptranslate-${++this.#internalIds}`;
    const key = idKey(id);
    const answered = new Promise<JsonRpcMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#internal.delete(key);
        reject(
          new RemoteLinkError("unreachable", `no answer to ${request.method} in ${SET_UP_TIMEOUT_MS} ms`),
        );
      }, SET_UP_TIMEOUT_MS);
      this.#internal.set(key, (message) => {
        clearTimeout(timer);
        resolve(message);
      });
    });
    try {
      await link.send({ ...request, id });
    } catch (error) {
      this.#internal.delete(key);
      throw error;
    }
    const response = await answered;
    if (response.error !== undefined) {
      throw new RemoteLinkError("rejected", `${request.method} failed: ${JSON.stringify(response.error)}`);
    }
    return response;
  }

  #newLink(): RemoteLink {
    const link: RemoteLink = this.#options.createLink({
      message: (message) => this.#fromRemote(link, message),
      dropped: (reason, sessionLost) => this.#dropped(link, reason, sessionLost),
    });
    this.#link = link;
    return link;
  }

  #announce(): void {
    if (this.#reached) return;
    this.#reached = true;
    this.#options.log("info", "connected to the remote MCP server");
  }

  #take(key: string): InFlight | undefined {
    const entry = this.#inflight.get(key);
    if (!entry) return undefined;
    this.#inflight.delete(key);
    entry.settle();
    return entry;
  }

  #hold(out: Outgoing): void {
    let index = this.#queue.length;
    while (index > 0 && (this.#queue[index - 1]?.seq ?? 0) > out.seq) index--;
    this.#queue.splice(index, 0, out);
  }

  /** A request that reached a link now gone: answered with an error, once. */
  #lost(id: JsonRpcId, link: RemoteLink): void {
    const key = idKey(id);
    if (this.#inflight.get(key)?.link !== link) return;
    this.#take(key);
    this.#refuse(id, "the connection to the remote MCP server was lost before the answer arrived");
  }

  #refuse(id: JsonRpcId, message: string): void {
    this.#options.toClient(errorResponse(id, BRIDGE_ERROR, `mcptranslate: ${message}`));
  }

  #giveUp(reason: string): void {
    this.#options.log("error", reason);
    for (const { message } of this.#queue) {
      if (isRequest(message)) this.#refuse(message.id, reason);
    }
    this.#queue = [];
    for (const [key, { request }] of [...this.#inflight]) {
      this.#take(key);
      this.#refuse(request.id, reason);
    }
    void this.close(false);
    this.#options.onGiveUp(reason);
  }

  #wait(ms: number): Promise<boolean> {
    const signal = this.#stopWaiting.signal;
    return new Promise((resolve) => {
      if (signal.aborted) {
        resolve(false);
        return;
      }
      const timer = setTimeout(() => {
        signal.removeEventListener("abort", stop);
        resolve(true);
      }, ms);
      const stop = (): void => {
        clearTimeout(timer);
        resolve(false);
      };
      signal.addEventListener("abort", stop, { once: true });
    });
  }
}
