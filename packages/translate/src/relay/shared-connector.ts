import type { StdioLease, StdioServerSpec, StdioSupervisor } from "@contextforge/mcp-transport";
import type { ChildChannel, ChildConnector, SessionSink } from "./child-channel.js";
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
const SHARED_KEY = "shared";

interface SharedSession {
  readonly id: string;
  readonly sink: SessionSink;
  /** Has had its InitializeResult: only then does it get broadcast notifications. */
  initialized: boolean;
  /** The session's own request id (as {@link idKey}) -> the id the child saw. Insertion-ordered. */
  readonly upstreamIds: Map<string, number>;
}

interface PendingRequest {
  readonly session: SharedSession;
  readonly id: JsonRpcId;
  readonly upstreamToken: string | undefined;
  readonly initialize: boolean;
}

type InitState =
  | { readonly kind: "none" }
  | { readonly kind: "pending"; readonly waiters: { session: SharedSession; message: JsonRpcMessage }[] }
  | { readonly kind: "done"; readonly result: unknown };

/**
 * One child for every session (`--shared`), multiplexed so that no client sees another's
 * responses:
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
 * The child lives until the connector closes; after a crash every session ends and the next one
 * starts (and initializes) a new child.
 */
export class SharedConnector implements ChildConnector {
  readonly #supervisor: StdioSupervisor;
  readonly #spec: StdioServerSpec;
  readonly #sessions = new Map<string, SharedSession>();
  readonly #pending = new Map<number, PendingRequest>();
  readonly #progress = new Map<string, { session: SharedSession; token: JsonRpcId; requestId: JsonRpcId }>();
  readonly #serverRequests = new Map<string, { session: SharedSession; id: JsonRpcId }>();
  #lease: Promise<StdioLease> | undefined;
  #init: InitState = { kind: "none" };
  #initializedSent = false;
  #nextId = 1;
  #nextToken = 1;

  constructor(supervisor: StdioSupervisor, spec: StdioServerSpec) {
    this.#supervisor = supervisor;
    this.#spec = spec;
  }

  async open(sessionId: string, sink: SessionSink): Promise<ChildChannel> {
    const lease = await this.#acquire();
    const session: SharedSession = { id: sessionId, sink, initialized: false, upstreamIds: new Map() };
    this.#sessions.set(sessionId, session);
    return {
      pid: lease.child.pid,
      get pendingRequests(): number {
        return session.upstreamIds.size;
      },
      send: (message) => this.#fromClient(session, lease, message),
      close: () => this.#closeSession(session, lease),
    };
  }

  close(): void {
    this.#lease?.then(
      (lease) => lease.release(),
      () => {},
    );
  }

  #acquire(): Promise<StdioLease> {
    if (this.#lease !== undefined) return this.#lease;
    const acquiring = this.#supervisor.acquire(this.#spec, SHARED_KEY).then((lease) => {
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
      else this.#forwardRequest(session, lease, message, false);
      return;
    }
    if (isNotification(message)) {
      if (message.method === "notifications/initialized") {
        if (this.#initializedSent) return;
        this.#initializedSent = true;
      } else if (message.method === "notifications/cancelled") {
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
      // An answer to a server-to-client request: only from the session that was asked.
      const key = idKey(message.id);
      if (this.#serverRequests.get(key)?.session !== session) return;
      this.#serverRequests.delete(key);
      lease.child.send(message);
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
    session.upstreamIds.delete(idKey(entry.id));
    if (entry.upstreamToken !== undefined) this.#progress.delete(idKey(entry.upstreamToken));
    const live = this.#sessions.get(session.id) === session;
    if (live) session.sink.deliver({ ...message, id: entry.id }, entry.id);
    if (!entry.initialize) return;
    const waiters = this.#init.kind === "pending" ? this.#init.waiters : [];
    const succeeded = message.error === undefined && message.result !== undefined;
    this.#init = succeeded ? { kind: "done", result: message.result } : { kind: "none" };
    if (succeeded && live) session.initialized = true;
    for (const waiter of waiters) {
      if (this.#sessions.get(waiter.session.id) === waiter.session) {
        this.#initialize(waiter.session, lease, waiter.message as JsonRpcMessage & { id: JsonRpcId });
      }
    }
  }

  #serverRequest(lease: StdioLease, message: JsonRpcMessage & { id: JsonRpcId }): void {
    const busy = [...this.#sessions.values()].filter((session) => session.upstreamIds.size > 0);
    let target: SharedSession | undefined;
    let related: JsonRpcId | undefined;
    if (busy.length === 1) {
      target = busy[0];
      const latest = target ? [...target.upstreamIds.values()].pop() : undefined;
      related = latest === undefined ? undefined : this.#pending.get(latest)?.id;
    } else if (busy.length === 0) {
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
    this.#serverRequests.set(idKey(message.id), { session: target, id: message.id });
    target.sink.deliver(message, related);
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
      const owner = requestId === undefined ? undefined : this.#serverRequests.get(idKey(requestId));
      if (owner && requestId !== undefined) {
        this.#serverRequests.delete(idKey(requestId));
        owner.session.sink.deliver(message, undefined);
      }
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
      lease.child.send(errorResponse(owner.id, INTERNAL_ERROR, "the client session ended"));
    }
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
  }
}
