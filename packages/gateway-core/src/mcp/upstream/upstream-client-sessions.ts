import type { DownstreamSessionKey } from "./upstream-call-context.js";
import type { UpstreamSession } from "./upstream-session.js";

/** The upstream sessions of one downstream session, one per gateway. */
interface ClientBinding {
  readonly key: DownstreamSessionKey;
  readonly onEnded: () => void;
  readonly sessions: Map<string, UpstreamSession>;
}

/**
 * Upstream sessions that belong to one downstream session each (`per_client`): at most one per
 * (downstream session, gateway), reused by every call of that downstream session and closed when
 * its `ended` signal aborts. The pool opens them and pins them, so they do not idle out while
 * their downstream session lives.
 */
export class UpstreamClientSessions {
  readonly #bindings = new Map<string, ClientBinding>();
  readonly #owners = new Map<UpstreamSession, { readonly clientId: string; readonly gatewayId: string }>();
  /** Sessions being ended because their downstream session ended (awaited on shutdown). */
  readonly #ending = new Set<Promise<void>>();

  /** Open sessions held for downstream sessions. */
  get size(): number {
    return this.#owners.size;
  }

  /**
   * The session of `key` for the gateway at `revision`, when usable. One of an older revision is
   * retired (it closes once its calls in flight are done) and undefined returned.
   */
  find(key: DownstreamSessionKey, gatewayId: string, revision: number): UpstreamSession | undefined {
    const session = this.#bindings.get(key.id)?.sessions.get(gatewayId);
    if (session === undefined) return undefined;
    if (session.revision !== revision) session.retire();
    return session.usable ? session : undefined;
  }

  /**
   * Records `session` as the one of `key` for the gateway. False when the downstream session has
   * ended already: the caller must not keep the session for it.
   */
  add(key: DownstreamSessionKey, gatewayId: string, session: UpstreamSession): boolean {
    if (key.ended.aborted) return false;
    let binding = this.#bindings.get(key.id);
    if (binding === undefined) {
      const onEnded = (): void => void this.end(key.id);
      binding = { key, onEnded, sessions: new Map() };
      key.ended.addEventListener("abort", onEnded, { once: true });
      this.#bindings.set(key.id, binding);
    }
    binding.sessions.set(gatewayId, session);
    this.#owners.set(session, { clientId: key.id, gatewayId });
    return true;
  }

  /** Forgets `session` (it closed, or joined the shared sessions); true when it was held here. */
  release(session: UpstreamSession): boolean {
    const owner = this.#owners.get(session);
    if (owner === undefined) return false;
    this.#owners.delete(session);
    const binding = this.#bindings.get(owner.clientId);
    if (binding?.sessions.get(owner.gatewayId) === session) binding.sessions.delete(owner.gatewayId);
    if (binding?.sessions.size === 0) this.#unbind(owner.clientId, binding);
    return true;
  }

  /** Closes the upstream sessions of a downstream session that ended (DELETE upstream when sessionful). */
  end(clientId: string): Promise<void> {
    const binding = this.#bindings.get(clientId);
    if (binding === undefined) return Promise.resolve();
    this.#unbind(clientId, binding);
    const sessions = [...binding.sessions.values()];
    for (const session of sessions) this.#owners.delete(session);
    const ending = Promise.all(sessions.map((session) => session.close())).then(() => {
      this.#ending.delete(ending);
    });
    this.#ending.add(ending);
    return ending;
  }

  /** Resolves once the sessions of every downstream session that ended so far are closed. */
  async settled(): Promise<void> {
    await Promise.all([...this.#ending]);
  }

  /** The sessions held for the gateway's downstream sessions. */
  ofGateway(gatewayId: string): UpstreamSession[] {
    return [...this.#owners].filter(([, owner]) => owner.gatewayId === gatewayId).map(([session]) => session);
  }

  /** Forgets every session (the pool closes them) and stops listening to downstream sessions. */
  clear(): UpstreamSession[] {
    const all = [...this.#owners.keys()];
    for (const [clientId, binding] of this.#bindings) this.#unbind(clientId, binding);
    this.#owners.clear();
    return all;
  }

  #unbind(clientId: string, binding: ClientBinding): void {
    binding.key.ended.removeEventListener("abort", binding.onEnded);
    this.#bindings.delete(clientId);
  }
}
