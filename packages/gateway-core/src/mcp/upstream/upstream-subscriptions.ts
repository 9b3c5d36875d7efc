import type { UpstreamEndpoint } from "./upstream-endpoint.js";
import type { UpstreamSession } from "./upstream-session.js";

/** First and longest pause before subscriptions lost with their session are made again. */
const RESUBSCRIBE_MIN_MS = 250;
const RESUBSCRIBE_MAX_MS = 30_000;

/** What the subscriptions of one gateway need from the pool. */
export interface UpstreamSubscriptionsHost {
  /** A usable shared session of the endpoint's gateway and revision (opening one when needed). */
  acquire(endpoint: UpstreamEndpoint): UpstreamSession;
  readonly onBackgroundError: (error: unknown, gatewayId: string) => void;
}

interface WatchedGateway {
  /** The newest endpoint a subscriber named: where subscriptions are (re)made. */
  endpoint: UpstreamEndpoint;
  readonly counts: Map<string, number>;
  /** The pinned session the subscriptions live on. */
  holder: UpstreamSession | undefined;
  /** Serializes changes of this gateway's subscription set. */
  queue: Promise<void>;
  retryTimer: ReturnType<typeof setTimeout> | undefined;
  retryDelay: number;
}

/**
 * Ref-counted upstream resource subscriptions, one set per gateway, held on one pinned pooled
 * session (pinned sessions do not close when idle). When that session closes (healing, a 404, a
 * new revision), the set is made again on a fresh session, backing off while that fails.
 *
 * They stay on the shared sessions even for a gateway whose calls use per-client sessions
 * (`per_client`, `auto`): one upstream subscription serves every downstream subscriber of a URI,
 * and an update is fanned out by the gateway, so nothing about it belongs to one client.
 */
export class UpstreamSubscriptions {
  readonly #host: UpstreamSubscriptionsHost;
  readonly #gateways = new Map<string, WatchedGateway>();
  #closed = false;

  constructor(host: UpstreamSubscriptionsHost) {
    this.#host = host;
  }

  /** Adds one subscriber of `uri`; the first one subscribes upstream (rejects when refused). */
  async subscribe(endpoint: UpstreamEndpoint, uri: string): Promise<void> {
    if (this.#closed) throw new Error("the upstream pool is closed");
    let watched = this.#gateways.get(endpoint.gatewayId);
    if (!watched) {
      watched = {
        endpoint,
        counts: new Map(),
        holder: undefined,
        queue: Promise.resolve(),
        retryTimer: undefined,
        retryDelay: RESUBSCRIBE_MIN_MS,
      };
      this.#gateways.set(endpoint.gatewayId, watched);
    }
    if (endpoint.revision >= watched.endpoint.revision) watched.endpoint = endpoint;
    watched.counts.set(uri, (watched.counts.get(uri) ?? 0) + 1);
    try {
      await this.#sync(watched);
    } catch (error) {
      this.#drop(watched, uri);
      await this.#sync(watched).catch(() => {});
      throw error;
    }
  }

  /** Removes one subscriber of `uri`; the last one unsubscribes upstream. Never throws. */
  async unsubscribe(gatewayId: string, uri: string): Promise<void> {
    const watched = this.#gateways.get(gatewayId);
    if (!watched?.counts.has(uri)) return;
    this.#drop(watched, uri);
    await this.#sync(watched).catch((error: unknown) => this.#host.onBackgroundError(error, gatewayId));
  }

  /** Called by the pool whenever a session closed: subscriptions it held are made again. */
  sessionClosed(session: UpstreamSession): void {
    for (const [gatewayId, watched] of this.#gateways) {
      if (watched.holder !== session) continue;
      watched.holder = undefined;
      if (!this.#closed && watched.counts.size > 0) this.#retryLater(gatewayId, watched);
    }
  }

  /** Subscribed URIs of a gateway (for tests and metrics). */
  uris(gatewayId: string): string[] {
    return [...(this.#gateways.get(gatewayId)?.counts.keys() ?? [])];
  }

  /** Forgets every subscription; the pool closes the sessions. */
  close(): void {
    this.#closed = true;
    for (const watched of this.#gateways.values()) clearTimeout(watched.retryTimer);
    this.#gateways.clear();
  }

  #drop(watched: WatchedGateway, uri: string): void {
    const left = (watched.counts.get(uri) ?? 0) - 1;
    if (left > 0) watched.counts.set(uri, left);
    else watched.counts.delete(uri);
  }

  /** Brings the upstream subscription set of a gateway to its counted URIs. */
  #sync(watched: WatchedGateway): Promise<void> {
    const run = watched.queue.then(() => this.#apply(watched));
    watched.queue = run.catch(() => {});
    return run;
  }

  async #apply(watched: WatchedGateway): Promise<void> {
    const gatewayId = watched.endpoint.gatewayId;
    const uris = [...watched.counts.keys()];
    let holder = watched.holder;
    if (holder && (holder.closed || holder.revision !== watched.endpoint.revision)) {
      // The old session (a previous revision) keeps serving calls in flight; it only stops being
      // the one the subscriptions live on.
      if (!holder.closed) await holder.watchUris([]).catch(() => {});
      holder.unpin();
      holder = undefined;
      watched.holder = undefined;
    }
    if (uris.length === 0) {
      if (holder) {
        const last = holder;
        watched.holder = undefined;
        await last.watchUris([]).finally(() => last.unpin());
      }
      if (watched.counts.size === 0 && this.#gateways.get(gatewayId) === watched) {
        clearTimeout(watched.retryTimer);
        this.#gateways.delete(gatewayId);
      }
      return;
    }
    if (!holder) {
      holder = this.#host.acquire(watched.endpoint);
      holder.pin();
      watched.holder = holder;
    }
    await holder.watchUris(uris);
    watched.retryDelay = RESUBSCRIBE_MIN_MS;
  }

  #retryLater(gatewayId: string, watched: WatchedGateway): void {
    clearTimeout(watched.retryTimer);
    const delay = watched.retryDelay;
    watched.retryDelay = Math.min(delay * 2, RESUBSCRIBE_MAX_MS);
    watched.retryTimer = setTimeout(() => {
      if (this.#closed || this.#gateways.get(gatewayId) !== watched) return;
      this.#sync(watched).catch((error: unknown) => {
        this.#host.onBackgroundError(error, gatewayId);
        const failed = watched.holder;
        if (failed) {
          watched.holder = undefined;
          failed.unpin();
        }
        this.#retryLater(gatewayId, watched);
      });
    }, delay);
    watched.retryTimer.unref();
  }
}
