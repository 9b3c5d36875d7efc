import { checkUpstreamTarget } from "./check-upstream-target.js";
import { type ForwardedMethod, sendUpstreamRequest } from "./send-upstream-request.js";
import type { UpstreamCallContext } from "./upstream-call-context.js";
import { judgeCallFailure } from "./upstream-call-failure.js";
import type { UpstreamEndpoint } from "./upstream-endpoint.js";
import type {
  UpstreamCallToolResult,
  UpstreamCompleteResult,
  UpstreamGetPromptResult,
  UpstreamPool,
  UpstreamPoolOptions,
  UpstreamReadResourceResult,
} from "./upstream-pool.js";
import { UpstreamSession } from "./upstream-session.js";

/**
 * The {@link UpstreamPool} implementation: sessions per gateway, picked by revision and load;
 * each call retried once on a fresh session when it provably never reached the upstream.
 */
export class UpstreamSessionPool implements UpstreamPool {
  readonly #options: Required<UpstreamPoolOptions>;
  readonly #sessions = new Map<string, UpstreamSession[]>();
  #closed = false;

  constructor(options: Required<UpstreamPoolOptions>) {
    this.#options = options;
  }

  get size(): number {
    let open = 0;
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

  async invalidate(gatewayId: string): Promise<void> {
    const list = this.#sessions.get(gatewayId) ?? [];
    await Promise.all(list.map((session) => session.close()));
  }

  async close(): Promise<void> {
    this.#closed = true;
    const all = [...this.#sessions.values()].flat();
    await Promise.all(all.map((session) => session.close()));
  }

  /** Sends the request, retrying once on a fresh session when it provably never reached the upstream. */
  async #forward(
    endpoint: UpstreamEndpoint,
    method: ForwardedMethod,
    params: Record<string, unknown>,
    ctx: UpstreamCallContext = {},
  ): Promise<Record<string, unknown>> {
    const timeoutMs = ctx.timeoutMs ?? this.#options.defaultTimeoutMs;
    ctx.signal?.throwIfAborted();
    const { endpoint: url, safeUrl } = checkUpstreamTarget(endpoint.url, endpoint.headers);
    for (let attempt = 1; ; attempt++) {
      const session = this.#acquire(endpoint, url);
      let phase: "connect" | "request" = "connect";
      session.hold();
      try {
        const client = await whileNotAborted(session.connected(), ctx.signal);
        phase = "request";
        return await session.router.run(ctx, () =>
          sendUpstreamRequest(client, method, params, ctx, timeoutMs),
        );
      } catch (error) {
        const verdict = judgeCallFailure(error, {
          phase,
          method,
          url: safeUrl,
          timeoutMs: phase === "connect" ? this.#options.defaultTimeoutMs : timeoutMs,
          hadSessionId: session.hasSessionId,
          signal: ctx.signal,
          secrets: Object.values(endpoint.headers ?? {}),
        });
        if (verdict.discardSession) void session.close();
        if (!(verdict.retryable && attempt === 1)) throw verdict.error;
      } finally {
        session.release();
      }
    }
  }

  /** A usable session of the endpoint's gateway and revision, opening one when needed. */
  #acquire(endpoint: UpstreamEndpoint, url: URL): UpstreamSession {
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
    if (best !== undefined && (best.load === 0 || usable >= this.#options.maxSessionsPerUpstream))
      return best;
    return this.#open(endpoint, url);
  }

  #open(endpoint: UpstreamEndpoint, url: URL): UpstreamSession {
    const session = new UpstreamSession({
      url,
      revision: endpoint.revision,
      transport: endpoint.transport,
      clientInfo: this.#options.clientInfo,
      capabilities: { sampling: {}, elicitation: { form: {} }, roots: {} },
      ...(endpoint.headers ? { headers: endpoint.headers } : {}),
      ...(endpoint.versionNegotiation ? { versionNegotiation: endpoint.versionNegotiation } : {}),
      connectTimeoutMs: this.#options.defaultTimeoutMs,
      idleTimeoutMs: this.#options.idleTimeoutMs,
      onClosed: (closed) => this.#remove(endpoint.gatewayId, closed),
    });
    const list = this.#sessions.get(endpoint.gatewayId);
    if (list) list.push(session);
    else this.#sessions.set(endpoint.gatewayId, [session]);
    return session;
  }

  #remove(gatewayId: string, session: UpstreamSession): void {
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
