import {
  isJsonContentType,
  type Server,
  WebStandardStreamableHTTPServerTransport,
} from "@modelcontextprotocol/server";
import type { DirectCalls, DirectToolCall } from "./direct-calls.js";
import { directCallsOf } from "./legacy-session-server.js";
import { releasingWhenDone } from "./listen-request.js";
import type { SessionActivity } from "./session-activity.js";
import { type SessionEventLog, STANDALONE_STREAM } from "./session-event-log.js";
import { parseEventId, SessionEventStore } from "./session-event-store.js";
import { isRoutable, SessionReplies } from "./session-replies.js";
import { claimsOfInitialize, replayHandshake } from "./session-resume.js";
import type { SessionTokens } from "./session-token.js";

type Json = Record<string, unknown>;
type Send = WebStandardStreamableHTTPServerTransport["send"];

/** What a session's transport and its requests share. */
interface SessionState {
  /** Open standalone (GET) streams of the session on this replica. */
  getStreams: number;
  /** When this replica last renewed the session's activity mark. */
  renewedAt: number;
}

interface Session {
  readonly server: Server;
  readonly transport: WebStandardStreamableHTTPServerTransport;
  /** Who opened it and through which endpoint: another caller or path never reaches it. */
  readonly owner: string;
  readonly scope: string;
  /** Set when replies may reach another replica ({@link LegacySessionsOptions.relay}). */
  readonly replies: SessionReplies | undefined;
  readonly state: SessionState;
  /** Keeps its streams' events, when streams are resumable. */
  readonly events: SessionEventStore | undefined;
  /** The transport's own `send`, under the wrappers: writes to this copy's streams. */
  readonly send: Send;
  lastUsed: number;
}

/** A notification the server sends outside any request: it goes to the session's GET stream. */
const isStandaloneNotification = (message: unknown, relatedRequestId: unknown): boolean =>
  relatedRequestId === undefined &&
  typeof message === "object" &&
  message !== null &&
  typeof (message as Json).method === "string" &&
  !("id" in message);

/** The stream a `Last-Event-ID` names (event ids are `<stream>:<n>`). */
const streamOfEventId = (eventId: string): string => eventId.slice(0, Math.max(0, eventId.lastIndexOf(":")));

function jsonRpcError(status: number, code: number, message: string): Response {
  return Response.json({ jsonrpc: "2.0", error: { code, message }, id: null }, { status });
}

// 2025-06-18 removed JSON-RPC batches; a 2025-03-26 session must still accept them.
const FIRST_VERSION_WITHOUT_BATCHES = "2025-06-18";

/** A JSON POST body read by the caller: its value, or `invalid` when it is not JSON. */
export type ReadBody = { readonly parsedBody: unknown } | { readonly invalid: true };

/**
 * Reads a JSON POST body once: its value, or `invalid`; undefined for anything else (not a POST,
 * another media type), whose body stays unread.
 */
export async function readJsonPost(request: Request): Promise<ReadBody | undefined> {
  if (request.method !== "POST" || !isJsonContentType(request.headers.get("content-type"))) return undefined;
  try {
    return { parsedBody: JSON.parse(await request.text()) };
  } catch {
    return { invalid: true };
  }
}

/**
 * A JSON POST body for the transport: a 400 answer, or the parsed body (so it is parsed once).
 * With a `refusal`, a JSON-RPC batch is refused. Other media types go to the transport untouched
 * (its 415). `read` is the body the caller read already, if it did.
 */
async function readPost(
  request: Request,
  refusal: string | undefined,
  read: ReadBody | undefined,
): Promise<Response | { readonly parsedBody: unknown } | undefined> {
  const body = read ?? (await readJsonPost(request));
  if (body === undefined) return undefined;
  if ("invalid" in body) return jsonRpcError(400, -32700, "Parse error: Invalid JSON");
  return Array.isArray(body.parsedBody) && refusal !== undefined
    ? jsonRpcError(400, -32600, `Invalid Request: ${refusal}`)
    : body;
}

/** Options of {@link LegacySessions}. */
export interface LegacySessionsOptions {
  readonly maxSessions: number;
  /** Idle sessions close after this; a session id older than this cannot be resumed either. */
  readonly idleTimeoutMs: number;
  /** Mints session ids that carry their session, so any replica sharing the key can resume it. */
  readonly tokens: SessionTokens;
  /** Called when a client ended a session (DELETE): tell the other replicas ({@link LegacySessions.forget}). */
  readonly onEnded?: (id: string) => void;
  /** At most this many ended ids are remembered until they expire (default 100,000). */
  readonly maxEndedIds?: number;
  /**
   * Sends a client's replies and cancellations that no copy here awaits to the other replicas
   * ({@link LegacySessions.deliver}). Without it (one replica), everything is handled here.
   */
  readonly relay?: (sessionId: string, messages: readonly unknown[]) => void;
  /**
   * Keeps every event of the sessions' SSE streams (priming events included) so a client that
   * lost a stream resumes it with `Last-Event-ID`; a log shared by the replicas lets it resume
   * on any of them. Without it, streams are not resumable.
   */
  readonly events?: {
    readonly log: SessionEventLog;
    readonly replica: string;
    onLogError?(error: unknown): void;
  };
  /**
   * Sends a notification a copy of a session sends outside any request, while the session's GET
   * stream is open on another replica (none here), to the other replicas
   * ({@link LegacySessions.deliverStandalone}). List changes are not sent: every replica learns of
   * registry changes and the one holding the stream tells its client.
   */
  readonly standalone?: (sessionId: string, message: unknown) => void;
  /** Shared last-use marks: a session opened longer ago than the idle timeout but in use resumes. */
  readonly activity?: SessionActivity;
}

/**
 * The 2025-era streamable HTTP wire (2025-03-26 to 2025-11-25) with real sessions: one SDK
 * server and transport per `Mcp-Session-Id`, bound to the principal and endpoint that opened
 * it (a session id is never a credential). Missing id on a non-initialize request: 400;
 * unknown, ended or someone else's: 404. Idle sessions are closed; past `maxSessions` the
 * least recently used one is.
 *
 * Session ids are sealed {@link SessionClaims}: a replica that does not hold a session whose id
 * opens with its key, names the caller and endpoint, and is younger than the idle timeout
 * rebuilds it (replaying the handshake) and serves the request, so a load balancer may send each
 * request anywhere. What lived only in the old copy stays there: its resource subscriptions,
 * logging level and open GET stream. Ids a client DELETEd are remembered until they expire.
 * A call's server-to-client requests stay on the replica serving the call: with a `relay`, the
 * client's answer (or its cancellation of the call) reaching another replica is relayed there.
 */
export class LegacySessions {
  readonly #sessions = new Map<string, Session>();
  /** Sessions being rebuilt here, so concurrent requests for one id share one rebuild. */
  readonly #resuming = new Map<string, Promise<Session | undefined>>();
  /** Ids ended by DELETE (here or, through {@link forget}, elsewhere), with when they expire. */
  readonly #ended = new Map<string, number>();
  readonly #options: LegacySessionsOptions;
  readonly #sweeper: NodeJS.Timeout;

  constructor(options: LegacySessionsOptions) {
    this.#options = options;
    this.#sweeper = setInterval(() => this.#sweep(), Math.min(options.idleTimeoutMs, 60_000));
    this.#sweeper.unref();
  }

  /** The number of open sessions. */
  get size(): number {
    return this.#sessions.size;
  }

  /**
   * Serves one HTTP request of the 2025 wire for `owner` on endpoint `scope`; `read` is its JSON
   * body when the caller read it already (the request's own body is then consumed).
   */
  async fetch(
    request: Request,
    owner: string,
    scope: string,
    createServer: () => Server,
    read?: ReadBody,
  ): Promise<Response> {
    const sessionId = request.headers.get("mcp-session-id");
    if (sessionId !== null) {
      const session =
        this.#sessions.get(sessionId) ?? (await this.#resume(request, sessionId, owner, scope, createServer));
      if (!session || session.owner !== owner || session.scope !== scope) {
        return jsonRpcError(404, -32001, "Session not found");
      }
      session.lastUsed = Date.now();
      if (this.#options.activity)
        session.state.renewedAt = this.#options.activity.renew(sessionId, session.state.renewedAt);
      if (request.method === "GET") {
        const lastEventId = request.headers.get("last-event-id");
        if (lastEventId !== null && this.#options.events && !parseEventId(lastEventId))
          return jsonRpcError(400, -32000, "Bad Request: Last-Event-ID is not an event id of this session");
        // A client opens a new GET stream when it lost the old one, perhaps before this replica
        // noticed: the new stream replaces the old one (the SDK alone would answer 409).
        if (lastEventId === null && session.state.getStreams > 0)
          session.transport.closeStandaloneSSEStream();
        // A call stream this copy does not serve (another replica does, or did): followed in the log.
        const acceptsSse = request.headers.get("accept")?.includes("text/event-stream") === true;
        const followed =
          lastEventId === null || !acceptsSse ? undefined : session.events?.follow(lastEventId);
        if (followed)
          return new Response(followed, {
            headers: {
              "content-type": "text/event-stream",
              "cache-control": "no-cache, no-transform",
              connection: "keep-alive",
              "x-accel-buffering": "no",
              "mcp-session-id": sessionId,
            },
          });
        return this.#trackGet(request, session, await session.transport.handleRequest(request));
      }
      // The SDK transport accepts batches whatever the session negotiated.
      const negotiated = session.server.getNegotiatedProtocolVersion() ?? "";
      let body = await readPost(
        request,
        negotiated < FIRST_VERSION_WITHOUT_BATCHES
          ? undefined
          : `protocol version ${negotiated} does not accept JSON-RPC batches`,
        read,
      );
      if (body instanceof Response) return body;
      const direct = directCallsOf(session.server);
      if (body !== undefined && direct) {
        const { parsedBody } = body;
        const messages = Array.isArray(parsedBody) ? parsedBody : [parsedBody];
        const rest = direct.cancel(messages);
        if (rest.length === 0) return new Response(null, { status: 202 });
        if (rest !== messages) body = { parsedBody: Array.isArray(parsedBody) ? rest : rest[0] };
        else if (direct.accepts(request, parsedBody, session.server.getClientCapabilities()))
          return this.#direct(direct, session, sessionId, parsedBody);
        else if (direct.acceptsList(request, parsedBody)) {
          const answer = await direct.listAnswer(parsedBody);
          if (answer !== undefined)
            return new Response(answer, {
              headers: { "content-type": "application/json", "mcp-session-id": sessionId },
            });
        }
      }
      if (body === undefined || !session.replies) return session.transport.handleRequest(request, body);
      return this.#route(request, sessionId, session, session.replies, body.parsedBody);
    }
    if (request.method !== "POST")
      return jsonRpcError(400, -32000, "Bad Request: Mcp-Session-Id header is required");
    // `initialize` MUST NOT be part of a batch (2025-03-26), and nothing else opens a session.
    const body = await readPost(request, "initialize must not be part of a JSON-RPC batch", read);
    if (body instanceof Response) return body;
    return this.#open(request, body, owner, scope, createServer);
  }

  /**
   * Ends session `id` here because a client ended it elsewhere: the local copy (if any) closes,
   * and the id is never resumed again on this replica.
   */
  forget(id: string): void {
    this.#markEnded(id);
    const session = this.#sessions.get(id);
    if (!session) return;
    this.#sessions.delete(id);
    void session.server.close();
  }

  /**
   * Hands the replies and cancellations another replica relayed for session `id` to the local
   * copy, if it is the one awaiting them; anything else is not for this replica.
   */
  deliver(id: string, messages: readonly unknown[]): void {
    const session = this.#sessions.get(id);
    const owned = session?.replies ? messages.filter((m) => isRoutable(m) && session.replies?.owns(m)) : [];
    // Cancellations of calls answered directly end them here; the rest goes to the SDK server.
    const direct = session ? directCallsOf(session.server) : undefined;
    const mine = direct ? direct.cancel(owned) : owned;
    if (session && mine.length > 0) void this.#inject(id, session, mine);
  }

  /**
   * Writes a notification another replica's copy of session `id` sent outside any request to the
   * session's GET stream, if it is open here.
   */
  deliverStandalone(id: string, message: unknown): void {
    const session = this.#sessions.get(id);
    if (session && session.state.getStreams > 0) void session.send(message as never).catch(() => {});
  }

  /** Closes every session. */
  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    const sessions = [...this.#sessions.values()];
    this.#sessions.clear();
    await Promise.allSettled(sessions.map((session) => session.server.close()));
  }

  /**
   * A body of only replies and cancellations goes where they are awaited: what this copy awaits
   * is handled here, the rest relayed, and the client gets the 202 the spec gives such a body.
   */
  async #route(
    request: Request,
    id: string,
    session: Session,
    replies: SessionReplies,
    parsedBody: unknown,
  ): Promise<Response> {
    const messages = Array.isArray(parsedBody) ? parsedBody : [parsedBody];
    if (messages.length > 0 && messages.every(isRoutable)) {
      const elsewhere = messages.filter((message) => !replies.owns(message));
      if (elsewhere.length > 0) {
        this.#options.relay?.(id, elsewhere);
        const here = messages.filter((message) => replies.owns(message));
        if (here.length > 0) await this.#inject(id, session, here);
        return new Response(null, { status: 202 });
      }
    }
    replies.serving(messages);
    const accepted = messages.map((message) => replies.accept(message));
    return session.transport.handleRequest(request, {
      parsedBody: Array.isArray(parsedBody) ? accepted : accepted[0],
    });
  }

  /** Answers a call directly (see {@link DirectCalls}), known as served here while it runs. */
  async #direct(
    direct: DirectCalls,
    session: Session,
    sessionId: string,
    call: DirectToolCall,
  ): Promise<Response> {
    session.replies?.serving([call]);
    try {
      return await direct.serve(call, sessionId);
    } finally {
      session.replies?.served(call.id);
    }
  }

  /** Counts a standalone stream a GET opened (or resumed) here while it lasts. */
  #trackGet(request: Request, session: Session, response: Response): Response {
    const lastEventId = request.headers.get("last-event-id");
    const standalone = lastEventId === null || streamOfEventId(lastEventId) === STANDALONE_STREAM;
    if (!standalone || !response.ok || !response.headers.get("content-type")?.startsWith("text/event-stream"))
      return response;
    session.state.getStreams += 1;
    return releasingWhenDone(response, () => {
      session.state.getStreams -= 1;
    });
  }

  /** Passes `messages` to the local copy through its transport, as if the client had posted them. */
  async #inject(id: string, session: Session, messages: readonly unknown[]): Promise<void> {
    const version = session.server.getNegotiatedProtocolVersion();
    const headers: Record<string, string> = {
      accept: "application/json, text/event-stream",
      "content-type": "application/json",
      "mcp-session-id": id,
      ...(version === undefined ? {} : { "mcp-protocol-version": version }),
    };
    const accepted = messages.map((message) => session.replies?.accept(message) ?? message);
    try {
      const response = await session.transport.handleRequest(
        new Request("http://localhost/mcp", { method: "POST", headers }),
        { parsedBody: accepted.length === 1 ? accepted[0] : accepted },
      );
      await response.body?.cancel();
    } catch {
      // The copy closed meanwhile: nothing awaits these any more.
    }
  }

  async #open(
    request: Request,
    body: { readonly parsedBody: unknown } | undefined,
    owner: string,
    scope: string,
    createServer: () => Server,
  ): Promise<Response> {
    const mint = (): string =>
      this.#options.tokens.seal({
        ...claimsOfInitialize(body?.parsedBody, owner, scope),
        issuedAt: Date.now(),
      });
    const { server, transport } = await this.#connect(mint, owner, scope, createServer);
    // The transport answers anything but `initialize` with an error; that opens no session.
    const response = await transport.handleRequest(request, body);
    if (transport.sessionId === undefined) await server.close();
    return response;
  }

  /** Rebuilds session `id` on this replica when its id says it may be; undefined: 404. */
  #resume(
    request: Request,
    id: string,
    owner: string,
    scope: string,
    createServer: () => Server,
  ): Promise<Session | undefined> {
    let pending = this.#resuming.get(id);
    if (!pending) {
      pending = this.#rebuild(request.url, id, owner, scope, createServer).finally(() =>
        this.#resuming.delete(id),
      );
      this.#resuming.set(id, pending);
    }
    return pending;
  }

  async #rebuild(
    url: string,
    id: string,
    owner: string,
    scope: string,
    createServer: () => Server,
  ): Promise<Session | undefined> {
    if (this.#ended.has(id)) return undefined;
    const claims = this.#options.tokens.open(id);
    if (!claims || claims.owner !== owner || claims.scope !== scope) return undefined;
    const age = Date.now() - claims.issuedAt;
    if (age < 0) return undefined;
    // An id older than the idle timeout resumes only if the session was used lately somewhere.
    if (age >= this.#options.idleTimeoutMs && !(await this.#options.activity?.isActive(id))) return undefined;
    const { server, transport } = await this.#connect(() => id, owner, scope, createServer);
    try {
      if (await replayHandshake(transport, url, id, claims)) return this.#sessions.get(id);
    } catch {
      // A handshake that cannot be replayed is a session that cannot be resumed: 404.
    }
    this.#sessions.delete(id);
    await server.close();
    return undefined;
  }

  /** A server and transport whose session registers here once `initialize` mints its id. */
  async #connect(
    sessionIdGenerator: () => string,
    owner: string,
    scope: string,
    createServer: () => Server,
  ): Promise<{ server: Server; transport: WebStandardStreamableHTTPServerTransport }> {
    const server = createServer();
    const { events } = this.#options;
    const eventStore = events
      ? new SessionEventStore({
          log: events.log,
          replica: events.replica,
          ...(events.onLogError ? { onLogError: events.onLogError } : {}),
        })
      : undefined;
    const state: SessionState = { getStreams: 0, renewedAt: 0 };
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator,
      ...(eventStore ? { eventStore } : {}),
      onsessioninitialized: (id) => {
        this.#sessions.set(id, {
          server,
          transport,
          owner,
          scope,
          replies,
          state,
          send,
          events: eventStore,
          lastUsed: Date.now(),
        });
        if (this.#options.activity) state.renewedAt = this.#options.activity.renew(id, 0);
        this.#evict();
      },
      onsessionclosed: (id) => {
        // Only a DELETE calls this: the client ended the session, everywhere.
        this.#sessions.delete(id);
        this.#markEnded(id);
        this.#options.onEnded?.(id);
      },
    });
    eventStore?.attach(transport);
    const send: Send = transport.send.bind(transport);
    const { standalone } = this.#options;
    // Under the reply tagging: what goes to another replica is what this transport would write.
    if (standalone) {
      transport.send = (message, options) => {
        const id = transport.sessionId;
        if (
          id === undefined ||
          state.getStreams > 0 ||
          !isStandaloneNotification(message, options?.relatedRequestId)
        )
          return send(message, options);
        if (!String((message as Json).method).endsWith("/list_changed")) standalone(id, message);
        return Promise.resolve();
      };
    }
    const replies = this.#options.relay ? new SessionReplies(transport) : undefined;
    await server.connect(transport);
    const previous = server.onclose;
    server.onclose = () => {
      const id = transport.sessionId;
      if (id !== undefined && this.#sessions.get(id)?.transport === transport) this.#sessions.delete(id);
      previous?.();
    };
    return { server, transport };
  }

  /** Remembers that `id` ended until it would have expired anyway (bounded: oldest dropped first). */
  #markEnded(id: string): void {
    const claims = this.#options.tokens.open(id);
    if (!claims) return;
    this.#ended.set(id, claims.issuedAt + this.#options.idleTimeoutMs);
    const limit = this.#options.maxEndedIds ?? 100_000;
    for (const oldest of this.#ended.keys()) {
      if (this.#ended.size <= limit) break;
      this.#ended.delete(oldest);
    }
  }

  #evict(): void {
    while (this.#sessions.size > this.#options.maxSessions) {
      let oldest: [string, Session] | undefined;
      for (const entry of this.#sessions)
        if (!oldest || entry[1].lastUsed < oldest[1].lastUsed) oldest = entry;
      if (!oldest) return;
      this.#sessions.delete(oldest[0]);
      void oldest[1].server.close();
    }
  }

  #sweep(): void {
    const now = Date.now();
    for (const [id, expires] of this.#ended) if (expires <= now) this.#ended.delete(id);
    const cutoff = now - this.#options.idleTimeoutMs;
    for (const [id, session] of this.#sessions) {
      if (session.lastUsed < cutoff) {
        this.#sessions.delete(id);
        void session.server.close();
      }
    }
  }
}
