import { randomUUID } from "node:crypto";
import { StdioSupervisor } from "@contextforge/mcp-transport";
import { CallDeadline, NO_SDK_TIMEOUT_MS, pausedWhileClientAnswers } from "./call-deadline.js";
import { checkUpstreamTarget } from "./check-upstream-target.js";
import { type ReverseTunnelConnector, unreachableConnection } from "./reverse-tunnel-connector.js";
import { type ForwardedMethod, sendUpstreamRequest } from "./send-upstream-request.js";
import type { DownstreamSessionKey, UpstreamCallContext } from "./upstream-call-context.js";
import { judgeCallFailure } from "./upstream-call-failure.js";
import { UpstreamClientSessions } from "./upstream-client-sessions.js";
import { openUpstreamConnection, type UpstreamConnection } from "./upstream-connection.js";
import type { UpstreamEndpoint } from "./upstream-endpoint.js";
import { UpstreamError } from "./upstream-error.js";
import type {
  UpstreamCallToolResult,
  UpstreamCompleteResult,
  UpstreamGetPromptResult,
  UpstreamNotificationEvent,
  UpstreamPingOptions,
  UpstreamPingResult,
  UpstreamPool,
  UpstreamPoolOptions,
  UpstreamReadResourceResult,
} from "./upstream-pool-types.js";
import { UpstreamRpcError } from "./upstream-rpc-error.js";
import { UpstreamSession } from "./upstream-session.js";
import { learnsStatefulness, wantsClientSession } from "./upstream-session-mode.js";
import { openStdioUpstreamConnection, type UpstreamStdioOptions } from "./upstream-stdio-connection.js";
import { UpstreamSubscriptions } from "./upstream-subscriptions.js";

/** The pool's options with every default applied. */
export type ResolvedUpstreamPoolOptions = Required<
  Omit<UpstreamPoolOptions, "stdio" | "onBackgroundError" | "reverseTunnels">
> & {
  readonly reverseTunnels?: ReverseTunnelConnector | undefined;
  readonly stdio: UpstreamStdioOptions;
  readonly onBackgroundError: (error: unknown, gatewayId: string) => void;
};

/**
 * The {@link UpstreamPool} implementation: shared sessions per gateway, picked by revision and
 * load, and sessions of one downstream session each where the gateway's session mode asks for
 * them (see `UpstreamSessionMode`); each call retried once on a fresh session when it provably
 * never reached the upstream.
 */
export class UpstreamSessionPool implements UpstreamPool {
  readonly #options: ResolvedUpstreamPoolOptions;
  /** Shared sessions, by gateway. */
  readonly #sessions = new Map<string, UpstreamSession[]>();
  readonly #clientSessions = new UpstreamClientSessions();
  /** `auto` mode: whether a gateway's last connected session had an `Mcp-Session-Id`, by gateway. */
  readonly #stateful = new Map<string, { readonly revision: number; readonly stateful: boolean }>();
  readonly #listeners = new Set<(event: UpstreamNotificationEvent) => void>();
  readonly #subscriptions: UpstreamSubscriptions;
  /** Made on first stdio use when none was passed in; then the pool owns (and closes) it. */
  #ownSupervisor: StdioSupervisor | undefined;
  #closed = false;

  constructor(options: ResolvedUpstreamPoolOptions) {
    this.#options = options;
    this.#subscriptions = new UpstreamSubscriptions({
      // Subscriptions are per gateway, not per client: they live on a shared session.
      acquire: (endpoint) => this.#acquire(endpoint),
      onBackgroundError: options.onBackgroundError,
    });
  }

  get size(): number {
    let open = this.#clientSessions.size;
    for (const list of this.#sessions.values()) open += list.length;
    return open;
  }

  callTool(
    endpoint: UpstreamEndpoint,
    name: string,
    args: Record<string, unknown> | undefined,
    ctx?: UpstreamCallContext,
  ): Promise<UpstreamCallToolResult> {
    const params = args === undefined ? { name } : { name, arguments: args };
    return this.#forward(endpoint, "tools/call", params, ctx) as Promise<UpstreamCallToolResult>;
  }

  readResource(
    endpoint: UpstreamEndpoint,
    uri: string,
    ctx?: UpstreamCallContext,
  ): Promise<UpstreamReadResourceResult> {
    return this.#forward(endpoint, "resources/read", { uri }, ctx) as Promise<UpstreamReadResourceResult>;
  }

  getPrompt(
    endpoint: UpstreamEndpoint,
    name: string,
    args: Record<string, string> | undefined,
    ctx?: UpstreamCallContext,
  ): Promise<UpstreamGetPromptResult> {
    const params = args === undefined ? { name } : { name, arguments: args };
    return this.#forward(endpoint, "prompts/get", params, ctx) as Promise<UpstreamGetPromptResult>;
  }

  complete(
    endpoint: UpstreamEndpoint,
    params: Record<string, unknown>,
    ctx?: UpstreamCallContext,
  ): Promise<UpstreamCompleteResult> {
    return this.#forward(endpoint, "completion/complete", params, ctx) as Promise<UpstreamCompleteResult>;
  }

  subscribeResource(endpoint: UpstreamEndpoint, uri: string): Promise<void> {
    if (endpoint.transport !== "STDIO" && endpoint.transport !== "REVERSE")
      checkUpstreamTarget(endpoint.url, endpoint.headers, endpoint.transport);
    return this.#subscriptions.subscribe(endpoint, uri);
  }

  unsubscribeResource(gatewayId: string, uri: string): Promise<void> {
    return this.#subscriptions.unsubscribe(gatewayId, uri);
  }

  subscribedUris(gatewayId: string): string[] {
    return this.#subscriptions.uris(gatewayId);
  }

  onNotification(listener: (event: UpstreamNotificationEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  async ping(endpoint: UpstreamEndpoint, options: UpstreamPingOptions): Promise<UpstreamPingResult> {
    options.signal?.throwIfAborted();
    const stdio = endpoint.transport === "STDIO";
    const safeUrl =
      stdio || endpoint.transport === "REVERSE"
        ? endpoint.url
        : checkUpstreamTarget(endpoint.url, endpoint.headers, endpoint.transport).safeUrl;
    // A running stdio process is pinged without a hold, so the check never keeps it alive.
    const running = stdio ? this.#runningSession(endpoint) : undefined;
    if (stdio && running === undefined && options.startStdio !== true) return "not-running";
    const deadline = AbortSignal.timeout(options.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
    const secrets = secretsOf(endpoint);
    for (let attempt = 1; ; attempt++) {
      const session = attempt === 1 && running !== undefined ? running : this.#acquire(endpoint);
      const held = session !== running;
      let phase: "connect" | "request" = "connect";
      if (held) session.hold();
      try {
        const client = await whileNotAborted(session.connected(), signal);
        phase = "request";
        // 2026-07-28 has no `ping`: its stateless equivalent is `server/discover`.
        const request = { signal, timeout: NO_SDK_TIMEOUT_MS };
        await (client.getProtocolEra() === "modern" ? client.discover(request) : client.ping(request));
        return "answered";
      } catch (error) {
        options.signal?.throwIfAborted();
        if (deadline.aborted) {
          throw new UpstreamError(
            "timeout",
            safeUrl,
            `upstream ${safeUrl} did not answer ping within ${options.timeoutMs} ms`,
            { cause: error },
          );
        }
        // The process stopped (idle timeout, exit) while pinged: nothing runs, nothing failed.
        if (!held && session.closed) return "not-running";
        const verdict = judgeCallFailure(error, {
          phase,
          method: "ping",
          url: safeUrl,
          timeoutMs: options.timeoutMs,
          hadSessionId: session.hasSessionId,
          secrets,
        });
        if (verdict.error instanceof UpstreamRpcError) return "answered";
        if (verdict.discardSession) void session.close();
        if (!(verdict.retryable && attempt === 1 && held)) throw verdict.error;
      } finally {
        if (held) session.release();
      }
    }
  }

  async invalidate(gatewayId: string): Promise<void> {
    this.#stateful.delete(gatewayId);
    const list = [...(this.#sessions.get(gatewayId) ?? []), ...this.#clientSessions.ofGateway(gatewayId)];
    await Promise.all(list.map((session) => session.close()));
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#subscriptions.close();
    this.#listeners.clear();
    const all = [...this.#sessions.values(), this.#clientSessions.clear()].flat();
    await Promise.all([...all.map((session) => session.close()), this.#clientSessions.settled()]);
    await this.#ownSupervisor?.close();
  }

  /** Sends the request, retrying once on a fresh session when it provably never reached the upstream. */
  async #forward(
    endpoint: UpstreamEndpoint,
    method: ForwardedMethod,
    params: Record<string, unknown>,
    ctx: UpstreamCallContext = {},
  ): Promise<Record<string, unknown>> {
    const timeoutMs = ctx.timeoutMs ?? endpoint.timeoutMs ?? this.#options.defaultTimeoutMs;
    ctx.signal?.throwIfAborted();
    const safeUrl =
      endpoint.transport === "STDIO" || endpoint.transport === "REVERSE"
        ? endpoint.url
        : checkUpstreamTarget(endpoint.url, endpoint.headers, endpoint.transport).safeUrl;
    const secrets = secretsOf(endpoint);
    for (let attempt = 1; ; attempt++) {
      const owner = this.#ownerOf(endpoint, ctx.downstreamSession);
      const session = owner === undefined ? this.#acquire(endpoint) : this.#acquireFor(endpoint, owner);
      let phase: "connect" | "request" = "connect";
      session.hold();
      try {
        const client = await whileNotAborted(session.connected(), ctx.signal);
        phase = "request";
        const deadline = new CallDeadline(timeoutMs);
        const call = pausedWhileClientAnswers(ctx, deadline);
        try {
          return await session.router.run(call, () =>
            sendUpstreamRequest(client, method, params, call, deadline),
          );
        } finally {
          deadline.dispose();
        }
      } catch (error) {
        const verdict = judgeCallFailure(error, {
          phase,
          method,
          url: safeUrl,
          timeoutMs: phase === "connect" ? this.#options.defaultTimeoutMs : timeoutMs,
          hadSessionId: session.hasSessionId,
          signal: ctx.signal,
          secrets,
        });
        if (verdict.discardSession) void session.close();
        if (!(verdict.retryable && attempt === 1)) throw verdict.error;
      } finally {
        session.release();
      }
    }
  }

  /** A usable shared session of the endpoint's gateway and revision, if one is open. */
  #runningSession(endpoint: UpstreamEndpoint): UpstreamSession | undefined {
    return this.#sessions
      .get(endpoint.gatewayId)
      ?.find((session) => session.usable && session.revision === endpoint.revision);
  }

  /** The downstream session whose own upstream session the call uses; undefined: a shared one. */
  #ownerOf(
    endpoint: UpstreamEndpoint,
    client: DownstreamSessionKey | undefined,
  ): DownstreamSessionKey | undefined {
    if (client === undefined || client.ended.aborted) return undefined;
    const learned = this.#stateful.get(endpoint.gatewayId);
    const stateful = learned?.revision === endpoint.revision ? learned.stateful : undefined;
    return wantsClientSession(endpoint, stateful) ? client : undefined;
  }

  /** The downstream session's own session of the endpoint's gateway and revision, opening one when needed. */
  #acquireFor(endpoint: UpstreamEndpoint, owner: DownstreamSessionKey): UpstreamSession {
    if (this.#closed) throw new Error("the upstream pool is closed");
    return (
      this.#clientSessions.find(owner, endpoint.gatewayId, endpoint.revision) ?? this.#open(endpoint, owner)
    );
  }

  /** A usable shared session of the endpoint's gateway and revision, opening one when needed. */
  #acquire(endpoint: UpstreamEndpoint): UpstreamSession {
    if (this.#closed) throw new Error("the upstream pool is closed");
    const list = this.#sessions.get(endpoint.gatewayId) ?? [];
    for (const session of list) if (session.revision !== endpoint.revision) session.retire();
    let best: UpstreamSession | undefined;
    let usable = 0;
    for (const session of list) {
      if (!session.usable) continue;
      usable++;
      if (best === undefined || session.load < best.load) best = session;
    }
    // A tunnel carries one session at a time.
    const max = endpoint.transport === "REVERSE" ? 1 : this.#options.maxSessionsPerUpstream;
    if (best !== undefined && (best.load === 0 || usable >= max)) return best;
    return this.#open(endpoint);
  }

  /** Opens a session: `owner`'s own (pinned: it lives as long as `owner`), else a shared one. */
  #open(endpoint: UpstreamEndpoint, owner?: DownstreamSessionKey): UpstreamSession {
    const stdio = endpoint.transport === "STDIO";
    const session = new UpstreamSession({
      connection: this.#connect(endpoint),
      // SSE and WebSocket deliver server->client messages outside any call's async context.
      // One shared channel (an SSE GET stream, a socket, a child's stdout): no per-call context.
      soleCallFallback: endpoint.transport !== "STREAMABLEHTTP",
      revision: endpoint.revision,
      connectTimeoutMs: this.#options.defaultTimeoutMs,
      idleTimeoutMs: (stdio ? this.#options.stdio.idleTimeoutMs : undefined) ?? this.#options.idleTimeoutMs,
      onClosed: (closed) => {
        this.#remove(endpoint.gatewayId, closed);
        this.#subscriptions.sessionClosed(closed);
      },
      onNotification: (method, params) => this.#emit({ gatewayId: endpoint.gatewayId, method, params }),
      onBackgroundError: (error) => this.#options.onBackgroundError(error, endpoint.gatewayId),
    });
    if (owner !== undefined && this.#clientSessions.add(owner, endpoint.gatewayId, session)) session.pin();
    else this.#share(endpoint.gatewayId, session);
    if (learnsStatefulness(endpoint)) {
      session.connected().then(
        () => this.#learn(endpoint, session),
        () => {},
      );
    }
    return session;
  }

  #share(gatewayId: string, session: UpstreamSession): void {
    const list = this.#sessions.get(gatewayId);
    if (list) list.push(session);
    else this.#sessions.set(gatewayId, [session]);
  }

  /**
   * Records whether the upstream keeps state per session (it answered with an `Mcp-Session-Id`).
   * A session opened for one downstream session before that was known, to an upstream that turns
   * out stateless, joins the shared sessions.
   */
  #learn(endpoint: UpstreamEndpoint, session: UpstreamSession): void {
    const stateful = session.hasSessionId;
    const known = this.#stateful.get(endpoint.gatewayId);
    if (known === undefined || known.revision <= endpoint.revision)
      this.#stateful.set(endpoint.gatewayId, { revision: endpoint.revision, stateful });
    if (stateful || session.closed || !this.#clientSessions.release(session)) return;
    this.#share(endpoint.gatewayId, session);
    session.unpin();
  }

  /** A client for a new session: over HTTP, or over a stdio process of its own. */
  #connect(endpoint: UpstreamEndpoint): UpstreamConnection {
    const common = {
      clientInfo: this.#options.clientInfo,
      capabilities: { sampling: {}, elicitation: { form: {} }, roots: {} },
      ...(endpoint.versionNegotiation ? { versionNegotiation: endpoint.versionNegotiation } : {}),
    };
    if (endpoint.transport === "REVERSE") {
      const tunnels = this.#options.reverseTunnels;
      if (tunnels === undefined) return unreachableConnection(endpoint.url, common.clientInfo);
      return tunnels.openConnection(endpoint.url, common);
    }
    if (endpoint.transport !== "STDIO") {
      const { endpoint: url } = checkUpstreamTarget(endpoint.url, endpoint.headers, endpoint.transport);
      return openUpstreamConnection(url, {
        ...common,
        transport: endpoint.transport,
        ...(endpoint.headers ? { headers: endpoint.headers } : {}),
      });
    }
    const { maxProcessesPerServer } = this.#options.stdio;
    return openStdioUpstreamConnection(endpoint, {
      ...common,
      supervisor: this.#supervisor(),
      serverId: endpoint.gatewayId,
      // A process carries the state of the one session that initialized it: never shared.
      key: `session:${endpoint.revision}:${randomUUID()}`,
      label: endpoint.url,
      ...(maxProcessesPerServer ? { maxProcessesPerServer } : {}),
    });
  }

  #supervisor(): StdioSupervisor {
    if (this.#options.stdio.supervisor) return this.#options.stdio.supervisor;
    this.#ownSupervisor ??= new StdioSupervisor({ idleTimeoutMs: 0 });
    return this.#ownSupervisor;
  }

  #emit(event: UpstreamNotificationEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.#options.onBackgroundError(error, event.gatewayId);
      }
    }
  }

  #remove(gatewayId: string, session: UpstreamSession): void {
    if (this.#clientSessions.release(session)) return;
    const list = this.#sessions.get(gatewayId);
    if (!list) return;
    const rest = list.filter((s) => s !== session);
    if (rest.length === 0) this.#sessions.delete(gatewayId);
    else this.#sessions.set(gatewayId, rest);
  }
}

/** Settles like `promise`, or rejects with the signal's reason as soon as it aborts. */
function whileNotAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
  });
  return Promise.race([promise, aborted]).finally(() => {
    if (onAbort) signal.removeEventListener("abort", onAbort);
  });
}

/** The values an error message must never show: a stdio server's env, an upstream's headers. */
function secretsOf(endpoint: UpstreamEndpoint): string[] {
  if (endpoint.transport === "STDIO") return Object.values(endpoint.env ?? {});
  if (endpoint.transport === "REVERSE") return [];
  return Object.values(endpoint.headers ?? {});
}
