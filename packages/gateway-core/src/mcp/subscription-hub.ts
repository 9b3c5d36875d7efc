import { ProtocolError, ResourceNotFoundError } from "@modelcontextprotocol/server";
import { visibilityKey } from "../auth/access.js";
import { GatewayError } from "../errors/gateway-error.js";
import type { Logger } from "../observability/logger.js";
import type {
  RegistrySnapshot,
  RegistrySnapshotSource,
  SnapshotServer,
} from "../registry/registry-snapshot.js";
import type { McpView } from "./router.js";
import { UpstreamError } from "./upstream/upstream-error.js";
import type { UpstreamNotificationEvent } from "./upstream/upstream-pool.js";
import { UpstreamRpcError } from "./upstream/upstream-rpc-error.js";
import { addressOf, type UpstreamAddress } from "./upstream-caller.js";
import {
  changedLists,
  concernsSubscription,
  fingerprintView,
  type ListKind,
  resourceForUri,
  type ViewFingerprint,
} from "./view-fingerprint.js";
import { visibleServer } from "./visible-view.js";

type Json = Record<string, unknown>;

/** The part of the upstream pool the hub uses. */
export interface UpstreamSubscriber {
  subscribeResource(endpoint: UpstreamAddress, uri: string): Promise<void>;
  unsubscribeResource(gatewayId: string, uri: string): Promise<void>;
  onNotification(listener: (event: UpstreamNotificationEvent) => void): () => void;
}

/** Publishes change events to 2026 `subscriptions/listen` streams (the SDK handler's `notify`). */
export interface ListenNotifier {
  toolsChanged(): void;
  promptsChanged(): void;
  resourcesChanged(): void;
  resourceUpdated(uri: string): void;
}

/** What {@link SubscriptionHub.openListen} holds for one 2026 listen stream. */
export interface ListenHold {
  /** Settles once the stream's URIs are subscribed upstream (or failed to be, which is logged). */
  readonly ready: Promise<void>;
  /** The stream ended: releases its upstream subscriptions. */
  readonly release: () => void;
}

/** The resource subscriptions of one 2025-era downstream session (streamable HTTP, SSE, WebSocket). */
export interface SessionSubscriptions {
  /** `resources/subscribe`: rejects with -32002 for a URI the view does not serve. */
  subscribe(uri: string): Promise<void>;
  /** `resources/unsubscribe`: never rejects. */
  unsubscribe(uri: string): Promise<void>;
  /** The session ended: releases every subscription it held. */
  close(): void;
}

/** Relays resource subscriptions and list changes between upstreams and downstream sessions. */
export interface SubscriptionHub {
  /**
   * A 2025-era session: `send` receives `notifications/resources/updated` for what it subscribed
   * and `notifications/{tools,resources,prompts}/list_changed` when its view's lists change.
   */
  openSession(
    view: McpView,
    send: (notification: { method: string; params?: Json }) => void,
  ): SessionSubscriptions;
  /**
   * A 2026 listen stream asking for `uris`: subscribed upstream until `release` runs. `ready`
   * settles (never rejects) once the upstream subscriptions are made or have failed: the stream's
   * acknowledgement waits for it, so a client never misses a change made after its ack.
   */
  openListen(view: McpView, uris: readonly string[]): ListenHold;
  /** Where 2026 change events go; returns the function that detaches it. */
  addListenNotifier(notifier: ListenNotifier): () => void;
  /** The registry changed (the snapshot was invalidated): tells sessions whose lists changed. */
  registryChanged(): void;
  /** Stops timers and releases every upstream subscription. */
  close(): Promise<void>;
}

/** Collaborators of {@link createSubscriptionHub}. */
export interface SubscriptionHubOptions {
  readonly snapshots: RegistrySnapshotSource;
  readonly upstream: UpstreamSubscriber;
  /** Re-discovers a gateway's items (and invalidates the snapshot), after its list_changed. */
  readonly refreshGateway: (gatewayId: string) => Promise<unknown>;
  readonly logger: Logger;
  /** Quiet time after an upstream list_changed before the gateway is refreshed. Default 500. */
  readonly refreshDebounceMs?: number;
  /** Quiet time after a registry change before sessions are told. Default 20. */
  readonly changeDebounceMs?: number;
}

/** What a downstream URI resolves to upstream; `undefined` for a resource the gateway serves itself. */
interface Target {
  readonly gatewayId: string;
  readonly revision: number;
  readonly endpoint: UpstreamAddress;
}

interface Subscriber {
  readonly view: McpView;
  /** 2025 sessions; 2026 listen streams have none (their events go through the notifiers). */
  readonly send: ((notification: { method: string; params?: Json }) => void) | undefined;
  /** Subscribed URIs, each held upstream (once) when it has a target. */
  readonly uris: Map<string, Target | undefined>;
  /** URIs being subscribed upstream right now. */
  readonly pending: Set<string>;
  closed: boolean;
}

const LIST_METHODS: Record<ListKind, string> = {
  tools: "notifications/tools/list_changed",
  resources: "notifications/resources/list_changed",
  prompts: "notifications/prompts/list_changed",
};

// Subscribers that see the same items share a fingerprint: keyed by server and visibility.
const viewKey = (view: McpView): string =>
  `${view.serverId ?? ""}|${view.principal ? visibilityKey(view.principal) : "all"}`;

function viewOf(snapshot: RegistrySnapshot, view: McpView): SnapshotServer | undefined {
  try {
    return visibleServer(snapshot, view);
  } catch {
    return undefined;
  }
}

function targetIn(server: SnapshotServer | undefined, uri: string): Target | undefined | null {
  const resource = server && resourceForUri(server, uri);
  if (!resource) return null;
  const { upstream } = resource;
  if (!upstream) return undefined;
  return { gatewayId: upstream.gatewayId, revision: upstream.revision, endpoint: addressOf(upstream) };
}

const sameTarget = (a: Target | undefined, b: Target | undefined): boolean =>
  a?.gatewayId === b?.gatewayId && a?.revision === b?.revision;

/** The upstream's refusal as the downstream sees it (the router relays errors the same way). */
function toProtocolError(error: unknown): unknown {
  if (error instanceof UpstreamRpcError) return new ProtocolError(error.code, error.message, error.data);
  if (error instanceof UpstreamError)
    return new ProtocolError(-32603, error.message, { upstream: error.code });
  return error;
}

/**
 * Creates the hub. Downstream subscriptions map through the subscriber's view to (gateway, URI)
 * and are ref-counted upstream by the pool; an upstream `resources/updated` reaches exactly the
 * sessions subscribed to that URI or a parent of it. An upstream list_changed refreshes the
 * gateway (debounced); every registry change then notifies the sessions whose lists it changed.
 */
export function createSubscriptionHub(options: SubscriptionHubOptions): SubscriptionHub {
  const { snapshots, upstream, logger } = options;
  const refreshDebounceMs = options.refreshDebounceMs ?? 500;
  const changeDebounceMs = options.changeDebounceMs ?? 20;
  const subscribers = new Set<Subscriber>();
  const notifiers = new Set<ListenNotifier>();
  const fingerprints = new Map<string, ViewFingerprint>();
  const refreshTimers = new Map<string, ReturnType<typeof setTimeout>>();
  let changeTimer: ReturnType<typeof setTimeout> | undefined;
  let reconciling: Promise<void> | undefined;
  let again = false;
  let closed = false;

  const hold = async (target: Target | undefined, uri: string): Promise<void> => {
    if (target) await upstream.subscribeResource(target.endpoint, uri);
  };
  /** Holds `uri` for `subscriber` once; a subscriber closed meanwhile hands it straight back. */
  const add = async (subscriber: Subscriber, uri: string, target: Target | undefined): Promise<void> => {
    if (subscriber.uris.has(uri) || subscriber.pending.has(uri) || subscriber.closed) return;
    subscriber.pending.add(uri);
    try {
      await hold(target, uri);
    } finally {
      subscriber.pending.delete(uri);
    }
    if (subscriber.closed) letGo(target, uri);
    else subscriber.uris.set(uri, target);
  };
  const letGo = (target: Target | undefined, uri: string): void => {
    if (target) void upstream.unsubscribeResource(target.gatewayId, uri);
  };

  const remember = (view: McpView): void => {
    const key = viewKey(view);
    if (fingerprints.has(key)) return;
    snapshots.current().then(
      (snapshot) => {
        const server = viewOf(snapshot, view);
        if (server && !fingerprints.has(key)) fingerprints.set(key, fingerprintView(server));
      },
      (error: unknown) => logger.warn({ err: error }, "registry snapshot unavailable"),
    );
  };

  const release = (subscriber: Subscriber): void => {
    if (subscriber.closed) return;
    subscriber.closed = true;
    subscribers.delete(subscriber);
    for (const [uri, target] of subscriber.uris) letGo(target, uri);
    subscriber.uris.clear();
  };

  const deliverUpdate = (gatewayId: string, uri: string): void => {
    const toListeners = new Set<string>();
    for (const subscriber of subscribers) {
      let matched = false;
      for (const [subscribed, target] of subscriber.uris) {
        if (target?.gatewayId !== gatewayId || !concernsSubscription(uri, subscribed)) continue;
        matched = true;
        // The SDK's listen router matches URIs exactly (and stamps the one published): a
        // listener of a parent URI hears about its sub-resources under the URI it asked for.
        if (!subscriber.send) toListeners.add(subscribed);
      }
      if (matched && subscriber.send)
        subscriber.send({ method: "notifications/resources/updated", params: { uri } });
    }
    for (const published of toListeners)
      for (const notifier of notifiers) notifier.resourceUpdated(published);
  };

  const scheduleRefresh = (gatewayId: string): void => {
    clearTimeout(refreshTimers.get(gatewayId));
    const timer = setTimeout(() => {
      refreshTimers.delete(gatewayId);
      options.refreshGateway(gatewayId).then(
        () => logger.debug({ gatewayId }, "gateway refreshed after upstream list_changed"),
        (error: unknown) => {
          // Another refresh of it is running: it may have started before the change, so go again.
          if (error instanceof GatewayError && error.code === "conflict" && !closed)
            scheduleRefresh(gatewayId);
          else logger.warn({ err: error, gatewayId }, "refresh after upstream list_changed failed");
        },
      );
    }, refreshDebounceMs);
    timer.unref();
    refreshTimers.set(gatewayId, timer);
  };

  const detachUpstream = upstream.onNotification((event) => {
    if (closed) return;
    if (event.method === "notifications/resources/updated") {
      if (typeof event.params.uri === "string") deliverUpdate(event.gatewayId, event.params.uri);
      return;
    }
    scheduleRefresh(event.gatewayId);
  });

  /** Tells sessions whose lists changed, and moves subscriptions whose resource moved. */
  const reconcile = async (): Promise<void> => {
    const snapshot = await snapshots.current();
    const changedByView = new Map<string, ListKind[]>();
    const live = new Set<string>();
    for (const subscriber of subscribers) {
      const key = viewKey(subscriber.view);
      live.add(key);
      if (changedByView.has(key)) continue;
      const server = viewOf(snapshot, subscriber.view);
      const before = fingerprints.get(key);
      if (!server) {
        changedByView.set(key, []);
        continue;
      }
      const after = fingerprintView(server);
      fingerprints.set(key, after);
      changedByView.set(key, before ? changedLists(before, after) : []);
    }
    for (const key of fingerprints.keys()) if (!live.has(key)) fingerprints.delete(key);

    const forListeners = new Set<ListKind>();
    for (const subscriber of subscribers) {
      const changed = changedByView.get(viewKey(subscriber.view)) ?? [];
      if (subscriber.send) for (const kind of changed) subscriber.send({ method: LIST_METHODS[kind] });
      else for (const kind of changed) forListeners.add(kind);
    }
    for (const notifier of notifiers) {
      if (forListeners.has("tools")) notifier.toolsChanged();
      if (forListeners.has("resources")) notifier.resourcesChanged();
      if (forListeners.has("prompts")) notifier.promptsChanged();
    }

    // A subscribed resource may now come from another gateway or revision, or from none.
    for (const subscriber of subscribers) {
      const server = viewOf(snapshot, subscriber.view);
      for (const [uri, before] of [...subscriber.uris]) {
        const found = targetIn(server, uri);
        let after = found === null ? undefined : found;
        if (sameTarget(before, after)) continue;
        await hold(after, uri).catch((error: unknown) => {
          // Left without an upstream hold; the next registry change tries again.
          after = undefined;
          logger.warn({ err: error, uri }, "re-subscribing a moved resource failed");
        });
        if (subscriber.closed || subscriber.uris.get(uri) !== before) {
          letGo(after, uri);
          continue;
        }
        subscriber.uris.set(uri, after);
        letGo(before, uri);
      }
    }
  };

  const runReconcile = (): void => {
    if (reconciling !== undefined) {
      again = true;
      return;
    }
    reconciling = reconcile()
      .catch((error: unknown) =>
        logger.warn({ err: error }, "notifying sessions of a registry change failed"),
      )
      .finally(() => {
        reconciling = undefined;
        if (again && !closed) {
          again = false;
          runReconcile();
        }
      });
  };

  const open = (view: McpView, send: Subscriber["send"]): Subscriber => {
    const subscriber: Subscriber = { view, send, uris: new Map(), pending: new Set(), closed: false };
    subscribers.add(subscriber);
    remember(view);
    return subscriber;
  };

  return {
    openSession(view, send) {
      const subscriber = open(view, send);
      return {
        async subscribe(uri) {
          if (subscriber.uris.has(uri) || subscriber.closed) return;
          const found = targetIn(viewOf(await snapshots.current(), view), uri);
          if (found === null) throw new ResourceNotFoundError(uri);
          await add(subscriber, uri, found).catch((error: unknown) => {
            throw toProtocolError(error);
          });
        },
        async unsubscribe(uri) {
          if (!subscriber.uris.has(uri)) return;
          const target = subscriber.uris.get(uri);
          subscriber.uris.delete(uri);
          letGo(target, uri);
        },
        close: () => release(subscriber),
      };
    },

    openListen(view, uris) {
      const subscriber = open(view, undefined);
      const ready = snapshots.current().then(
        async (snapshot) => {
          const server = viewOf(snapshot, view);
          for (const uri of new Set(uris)) {
            const found = targetIn(server, uri);
            if (found === null) continue;
            await add(subscriber, uri, found).catch((error: unknown) =>
              logger.warn({ err: error, uri }, "subscribing upstream for a listen stream failed"),
            );
          }
        },
        (error: unknown) => logger.warn({ err: error }, "registry snapshot unavailable"),
      );
      return { ready, release: () => release(subscriber) };
    },

    addListenNotifier(notifier) {
      notifiers.add(notifier);
      return () => {
        notifiers.delete(notifier);
      };
    },

    registryChanged() {
      if (closed) return;
      clearTimeout(changeTimer);
      changeTimer = setTimeout(runReconcile, changeDebounceMs);
      changeTimer.unref();
    },

    async close() {
      closed = true;
      detachUpstream();
      clearTimeout(changeTimer);
      for (const timer of refreshTimers.values()) clearTimeout(timer);
      refreshTimers.clear();
      for (const subscriber of [...subscribers]) release(subscriber);
      notifiers.clear();
      await reconciling;
    },
  };
}
