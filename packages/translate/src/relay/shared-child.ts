import { randomUUID } from "node:crypto";
import type { StdioLease, StdioServerSpec, StdioSupervisor } from "@contextforge/mcp-transport";
import { VERSION } from "../version.js";
import type { ChildChannel, SessionSink } from "./child-channel.js";
import {
  errorResponse,
  idKey,
  isJsonRpcMessage,
  isNotification,
  isRequest,
  isResponse,
  type JsonRpcId,
  type JsonRpcMessage,
  paramId,
  progressTokenOf,
  withParam,
  withProgressToken,
} from "./json-rpc.js";

const INTERNAL_ERROR = -32603;
/** The version the bridge offers when it initializes a child itself (stateless 2025 era). */
const IMPLICIT_PROTOCOL_VERSION = "2025-11-25";

interface SharedSession {
  readonly id: string;
  readonly sink: SessionSink;
  /** Has had its InitializeResult: only then does it get broadcast notifications. */
  initialized: boolean;
  /** The session's own request id (as {@link idKey}) -> the id the child saw. Insertion-ordered. */
  readonly upstreamIds: Map<string, number>;
}

interface PendingRequest {
  /** undefined: the bridge's own `initialize`. */
  readonly session: SharedSession | undefined;
  readonly id: JsonRpcId;
  readonly upstreamToken: string | undefined;
  readonly initialize: boolean;
}

type Waiter = { readonly session: SharedSession; readonly message: JsonRpcMessage & { id: JsonRpcId } };

type InitState =
  | { readonly kind: "none" }
  | { readonly kind: "pending"; readonly waiters: Waiter[] }
  | { readonly kind: "done"; readonly result: unknown };

/** Options of {@link SharedChild}. */
export interface SharedChildOptions {
  readonly supervisor: StdioSupervisor;
  readonly spec: StdioServerSpec;
  /** The supervisor key of this child. */
  readonly key: string;
  /**
   * Sessions are single stateless requests: a server-to-client request gets an unguessable id and
   * its answer is accepted from any session (it arrives in a POST of its own); notifications that
   * are not progress go to the one request running, if only one runs.
   */
  readonly stateless: boolean;
  /** Initialize the child itself when a request comes before any client's `initialize`. */
  readonly implicitInitialize: boolean;
  /** Called whenever the number of open sessions changes. */
  readonly onSessionCount: (count: number) => void;
}

/**
 * One child shared by many sessions (`--shared`, `--stateless`), multiplexed so that no client
 * sees another's responses:
 *
 * - request ids are replaced by the relay's own counter and mapped back on the response;
 * - progress tokens are replaced the same way, and `notifications/progress` goes to the session
 *   whose request carried the token; `notifications/cancelled` from a client is rewritten to the
 *   child's id;
 * - the child is initialized once: the first `initialize` is forwarded, later ones are answered
 *   from the cached InitializeResult and only the first `notifications/initialized` is passed on;
 * - other notifications (list_changed, logging, resources/updated) concern every client and go to
 *   every initialized session;
 * - a server-to-client request goes to the one session with requests in flight (or, with none,
 *   to the oldest session); when several have, it cannot be attributed and is answered with an
 *   error;
 * - a session that ends has its requests cancelled in the child.
 *
 * Stateless, every session is one POST: nothing is broadcast, a server-to-client request or a
 * notification goes to the one request running (else it is refused or dropped), and with
 * `implicitInitialize` a request that comes before any `initialize` has the bridge initialize the
 * child first.
 *
 * After a crash every session ends and the next one starts (and initializes) a new child.
 */
export class SharedChild {
  readonly #options: SharedChildOptions;
  readonly #sessions = new Map<string, SharedSession>();
  readonly #pending = new Map<number, PendingRequest>();
  readonly #progress = new Map<string, { session: SharedSession; token: JsonRpcId; requestId: JsonRpcId }>();
  /** By the id the session saw: who was asked, and the child's own id. */
  readonly #serverRequests = new Map<
    string,
    { session: SharedSession; childId: JsonRpcId; downstreamId: JsonRpcId }
  >();
  #lease: Promise<StdioLease> | undefined;
  #init: InitState = { kind: "none" };
  #initializedSent = false;
  #closed = false;
  #nextId = 1;
  #nextToken = 1;

  constructor(options: SharedChildOptions) {
    this.#options = options;
  }

  /** Sessions open now. */
  get sessionCount(): number {
    return this.#sessions.size;
  }

  /** Joins a session to the child, starting the child if it does not run. */
  async open(sessionId: string, sink: SessionSink): Promise<ChildChannel> {
    const lease = await this.#acquire();
    const session: SharedSession = { id: sessionId, sink, initialized: false, upstreamIds: new Map() };
    this.#sessions.set(sessionId, session);
    this.#options.onSessionCount(this.#sessions.size);
    return {
      pid: lease.child.pid,
      get pendingRequests(): number {
        return session.upstreamIds.size;
      },
      send: (message) => this.#fromClient(session, lease, message),
      close: () => this.#closeSession(session, lease),
    };
  }

  /** Gives the child back (the supervisor stops it); sessions must have ended. */
  close(): void {
    this.#closed = true;
    this.#lease?.then(
      (lease) => lease.release(),
      () => {},
    );
  }

  #acquire(): Promise<StdioLease> {
    if (this.#closed) return Promise.reject(new Error("the shared stdio server was stopped"));
    if (this.#lease !== undefined) return this.#lease;
    const { supervisor, spec, key } = this.#options;
    const acquiring = supervisor.acquire(spec, key).then((lease) => {
      lease.child.onMessage((message) => {
        if (isJsonRpcMessage(message)) this.#fromChild(lease, message);
      });
      lease.child.onExit((exit) =>
        this.#lost(acquiring, `the shared stdio server exited (code ${exit.code}, signal ${exit.signal})`),
      );
      return lease;
    });
    this.#lease = acquiring;
    acquiring.catch(() => {
      if (this.#lease === acquiring) this.#lease = undefined;
    });
    return acquiring;
  }

  #fromClient(session: SharedSession, lease: StdioLease, message: JsonRpcMessage): void {
    if (this.#sessions.get(session.id) !== session) return;
    if (isRequest(message)) {
      if (message.method === "initialize") this.#initialize(session, lease, message);
      else if (this.#options.implicitInitialize && this.#init.kind !== "done") {
        this.#initializeFirst(session, lease, message);
      } else this.#forwardRequest(session, lease, message, false);
      return;
    }
    if (isNotification(message)) {
      if (message.method === "notifications/initialized") {
        if (this.#initializedSent) return;
        this.#initializedSent = true;
      } else if (message.method === "notifications/cancelled") {
        // Only the session's own requests; a stateless POST has none, so its cancel is dropped.
        const requestId = paramId(message, "requestId");
        const upstreamId = requestId === undefined ? undefined : session.upstreamIds.get(idKey(requestId));
        if (upstreamId === undefined) return;
        lease.child.send(withParam(message, "requestId", upstreamId));
        return;
      }
      lease.child.send(message);
      return;
    }
    if (isResponse(message)) {
      // An answer to a server-to-client request: only from the session that was asked, except in
      // stateless mode, where the unguessable id it was given is the proof.
      const key = idKey(message.id);
      const asked = this.#serverRequests.get(key);
      if (!asked || (!this.#options.stateless && asked.session !== session)) return;
      this.#serverRequests.delete(key);
      lease.child.send({ ...message, id: asked.childId });
    }
  }

  #initialize(session: SharedSession, lease: StdioLease, message: JsonRpcMessage & { id: JsonRpcId }): void {
    switch (this.#init.kind) {
      case "done":
        session.initialized = true;
        session.sink.deliver({ jsonrpc: "2.0", id: message.id, result: this.#init.result }, message.id);
        return;
      case "pending":
        this.#init.waiters.push({ session, message });
        return;
      case "none":
        this.#init = { kind: "pending", waiters: [] };
        this.#forwardRequest(session, lease, message, true);
    }
  }

  /** A request before any `initialize`: the bridge initializes the child, then forwards it. */
  #initializeFirst(
    session: SharedSession,
    lease: StdioLease,
    message: JsonRpcMessage & { id: JsonRpcId },
  ): void {
    if (this.#init.kind === "pending") {
      this.#init.waiters.push({ session, message });
      return;
    }
    this.#init = { kind: "pending", waiters: [{ session, message }] };
    const upstreamId = this.#nextId++;
    this.#pending.set(upstreamId, {
      session: undefined,
      id: upstreamId,
      upstreamToken: undefined,
      initialize: true,
    });
    lease.child.send({
      jsonrpc: "2.0",
      id: upstreamId,
      method: "initialize",
      params: {
        protocolVersion: IMPLICIT_PROTOCOL_VERSION,
        capabilities: {},
        clientInfo: { name: "mcptranslate", version: VERSION },
      },
    });
  }

  #forwardRequest(
    session: SharedSession,
    lease: StdioLease,
    message: JsonRpcMessage & { id: JsonRpcId },
    initialize: boolean,
  ): void {
    const upstreamId = this.#nextId++;
    let outgoing: JsonRpcMessage = { ...message, id: upstreamId };
    const token = progressTokenOf(message);
    let upstreamToken: string | undefined;
    if (token !== undefined) {
      upstreamToken = `cf-${this.#nextToken++}`;
      this.#progress.set(idKey(upstreamToken), { session, token, requestId: message.id });
      outgoing = withProgressToken(outgoing, upstreamToken);
    }
    this.#pending.set(upstreamId, { session, id: message.id, upstreamToken, initialize });
    session.upstreamIds.set(idKey(message.id), upstreamId);
    lease.child.send(outgoing);
  }

  #fromChild(lease: StdioLease, message: JsonRpcMessage): void {
    if (isResponse(message)) this.#response(lease, message);
    else if (isRequest(message)) this.#serverRequest(lease, message);
    else if (isNotification(message)) this.#notification(message);
  }

  #response(lease: StdioLease, message: JsonRpcMessage & { id: JsonRpcId }): void {
    const entry = typeof message.id === "number" ? this.#pending.get(message.id) : undefined;
    if (!entry) return;
    this.#pending.delete(message.id as number);
    const { session } = entry;
    session?.upstreamIds.delete(idKey(entry.id));
    if (entry.upstreamToken !== undefined) this.#progress.delete(idKey(entry.upstreamToken));
    const live = session !== undefined && this.#isLive(session);
    if (live) session.sink.deliver({ ...message, id: entry.id }, entry.id);
    if (!entry.initialize) return;
    const waiters = this.#init.kind === "pending" ? this.#init.waiters : [];
    const succeeded = message.error === undefined && message.result !== undefined;
    this.#init = succeeded ? { kind: "done", result: message.result } : { kind: "none" };
    if (succeeded && live) session.initialized = true;
    if (succeeded && session === undefined) {
      this.#initializedSent = true;
      lease.child.send({ jsonrpc: "2.0", method: "notifications/initialized" });
    }
    for (const waiter of waiters) {
      if (!this.#isLive(waiter.session)) continue;
      if (waiter.message.method === "initialize") this.#initialize(waiter.session, lease, waiter.message);
      else if (succeeded) this.#forwardRequest(waiter.session, lease, waiter.message, false);
      else {
        const failure = errorResponse(
          waiter.message.id,
          INTERNAL_ERROR,
          "the stdio server could not be initialized",
        );
        waiter.session.sink.deliver(failure, waiter.message.id);
      }
    }
  }

  #serverRequest(lease: StdioLease, message: JsonRpcMessage & { id: JsonRpcId }): void {
    const busy = this.#busySessions();
    let target: SharedSession | undefined;
    let related: JsonRpcId | undefined;
    if (busy.length === 1) {
      target = busy[0];
      related = target ? this.#latestRequest(target) : undefined;
    } else if (busy.length === 0 && !this.#options.stateless) {
      target = [...this.#sessions.values()].find((session) => session.initialized);
    }
    if (!target) {
      lease.child.send(
        errorResponse(
          message.id,
          INTERNAL_ERROR,
          "mcptranslate --shared: this server-to-client request cannot be attributed to one client",
        ),
      );
      return;
    }
    const downstreamId = this.#options.stateless ? `cf-${randomUUID()}` : message.id;
    this.#serverRequests.set(idKey(downstreamId), { session: target, childId: message.id, downstreamId });
    target.sink.deliver({ ...message, id: downstreamId }, related);
  }

  #notification(message: JsonRpcMessage): void {
    if (message.method === "notifications/progress") {
      const token = paramId(message, "progressToken");
      const target = token === undefined ? undefined : this.#progress.get(idKey(token));
      // Progress for a request that has ended (or was never ours) has nobody to go to.
      if (target)
        target.session.sink.deliver(withParam(message, "progressToken", target.token), target.requestId);
      return;
    }
    if (message.method === "notifications/cancelled") {
      const requestId = paramId(message, "requestId");
      const owned = requestId === undefined ? undefined : this.#serverRequestByChildId(requestId);
      if (owned) {
        this.#serverRequests.delete(owned.key);
        owned.session.sink.deliver(withParam(message, "requestId", owned.downstreamId), undefined);
      }
      return;
    }
    if (this.#options.stateless) {
      // No stream outlives a request: the one request running is the only place it can go.
      const busy = this.#busySessions();
      const only = busy.length === 1 ? busy[0] : undefined;
      if (only) only.sink.deliver(message, this.#latestRequest(only));
      return;
    }
    for (const session of this.#sessions.values()) {
      if (session.initialized) session.sink.deliver(message, undefined);
    }
  }

  #closeSession(session: SharedSession, lease: StdioLease): void {
    if (this.#sessions.get(session.id) !== session) return;
    this.#sessions.delete(session.id);
    for (const upstreamId of session.upstreamIds.values()) {
      const entry = this.#pending.get(upstreamId);
      // An initialize still runs to its end: its result is what later sessions are answered with.
      if (!entry || entry.initialize) continue;
      this.#pending.delete(upstreamId);
      if (entry.upstreamToken !== undefined) this.#progress.delete(idKey(entry.upstreamToken));
      lease.child.send({
        jsonrpc: "2.0",
        method: "notifications/cancelled",
        params: { requestId: upstreamId, reason: "the client session ended" },
      });
    }
    for (const [key, owner] of this.#serverRequests) {
      if (owner.session !== session) continue;
      this.#serverRequests.delete(key);
      lease.child.send(errorResponse(owner.childId, INTERNAL_ERROR, "the client session ended"));
    }
    this.#options.onSessionCount(this.#sessions.size);
  }

  #lost(acquiring: Promise<StdioLease>, reason: string): void {
    if (this.#lease !== acquiring) return;
    this.#lease = undefined;
    this.#pending.clear();
    this.#progress.clear();
    this.#serverRequests.clear();
    this.#init = { kind: "none" };
    this.#initializedSent = false;
    const sessions = [...this.#sessions.values()];
    this.#sessions.clear();
    void acquiring.then((lease) => lease.release());
    for (const session of sessions) session.sink.lost(reason);
    this.#options.onSessionCount(0);
  }

  #isLive(session: SharedSession): boolean {
    return this.#sessions.get(session.id) === session;
  }

  #busySessions(): SharedSession[] {
    return [...this.#sessions.values()].filter((session) => session.upstreamIds.size > 0);
  }

  /** The session's own id of its latest request still running. */
  #latestRequest(session: SharedSession): JsonRpcId | undefined {
    const latest = [...session.upstreamIds.values()].pop();
    return latest === undefined ? undefined : this.#pending.get(latest)?.id;
  }

  #serverRequestByChildId(
    childId: JsonRpcId,
  ): { key: string; session: SharedSession; downstreamId: JsonRpcId } | undefined {
    for (const [key, owner] of this.#serverRequests) {
      if (owner.childId === childId) return { key, session: owner.session, downstreamId: owner.downstreamId };
    }
    return undefined;
  }
}
