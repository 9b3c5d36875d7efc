import type { CacheLogger } from "./cache.js";

/** Receives the payload of a message another instance published. */
export type BusHandler = (payload: unknown) => void;

/**
 * Messages between the gateway's replicas (Redis pub/sub, the database, or in process). An
 * instance never receives what it published itself: it has already applied the change.
 * Delivery is at most once; after a gap (a lost connection) `onResync` handlers run, and they
 * must assume anything changed.
 */
export interface Bus {
  /** Stamped on every message this instance publishes. */
  readonly instanceId: string;
  /**
   * Why messages cannot flow right now (for `/ready`); undefined while they can. Set from
   * construction until `start()` has connected.
   */
  readonly problem: string | undefined;
  /** Starts receiving (the database bus needs its table, so after migrations). Never waits for a server. */
  start(): Promise<void>;
  /** Sends `payload` (JSON-serialisable) to the other instances' handlers of `topic`. */
  publish(topic: string, payload: unknown): Promise<void>;
  /** Calls `handler` for each message on `topic` from another instance; returns the unsubscribe. */
  subscribe(topic: string, handler: BusHandler): () => void;
  /** Calls `handler` when messages may have been missed (after a reconnection); returns the unsubscribe. */
  onResync(handler: () => void): () => void;
  /** Stops receiving and closes connections and timers; idempotent. */
  close(): Promise<void>;
}

/** The bus topics the gateway uses. */
export const BUS_TOPICS: {
  /** The registry changed; payload `{ gatewayId? }` names an upstream whose sessions are stale. */
  readonly registry: "registry";
  /** Users, teams, roles or tokens changed (a revocation included). */
  readonly auth: "auth";
  /** A client ended a 2025 MCP session (DELETE); payload `{ id }`: close copies, never resume it. */
  readonly session: "session";
  /**
   * A client's replies (to sampling, elicitation, roots requests) or cancellations reached a
   * replica that does not await them; payload `{ sessionId, messages }`: the replica whose copy
   * of the session does, handles them.
   */
  readonly sessionMessage: "session-message";
  /**
   * A copy of a 2025 session sent a notification outside any request, and its GET stream is not
   * open on that replica; payload `{ sessionId, message }`: the replica holding it writes it.
   */
  readonly sessionStream: "session-stream";
  /**
   * A frame of an MCP session through a reverse proxy's tunnel held by another replica; payload
   * `{ from, to, url?, frame }` (see `TunnelRelay`).
   */
  readonly tunnel: "tunnel";
} = {
  registry: "registry",
  auth: "auth",
  session: "session",
  sessionMessage: "session-message",
  sessionStream: "session-stream",
  tunnel: "tunnel",
};

/** Topic names: short, and safe in a Redis channel name and a varchar(64) column. */
const TOPIC = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** The handlers of one bus, by topic, with the error handling every backend shares. */
export interface BusListeners {
  subscribe(topic: string, handler: BusHandler): () => void;
  onResync(handler: () => void): () => void;
  /** Calls the handlers of `topic`; one that throws is logged and does not stop the others. */
  deliver(topic: string, payload: unknown): void;
  resync(): void;
  /** Topics with at least one handler. */
  topics(): string[];
}

/** Throws on a topic name that is not lowercase letters, digits, `.`, `_` or `-`. */
export function checkTopic(topic: string): void {
  if (!TOPIC.test(topic)) throw new RangeError(`invalid bus topic ${JSON.stringify(topic)}`);
}

/** A fresh handler table; `onAdded` runs when a topic gets its first handler. */
export function createBusListeners(
  logger: CacheLogger,
  onAdded: (topic: string) => void = () => {},
): BusListeners {
  const byTopic = new Map<string, Set<BusHandler>>();
  const resyncs = new Set<() => void>();
  const run = (what: string, call: () => void): void => {
    try {
      call();
    } catch (error) {
      logger.warn({ err: error, what }, "bus handler failed");
    }
  };
  return {
    subscribe(topic, handler) {
      checkTopic(topic);
      let handlers = byTopic.get(topic);
      if (!handlers) {
        handlers = new Set();
        byTopic.set(topic, handlers);
        onAdded(topic);
      }
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    onResync(handler) {
      resyncs.add(handler);
      return () => resyncs.delete(handler);
    },
    deliver(topic, payload) {
      for (const handler of byTopic.get(topic) ?? []) run(topic, () => handler(payload));
    },
    resync() {
      for (const handler of resyncs) run("resync", handler);
    },
    topics: () => [...byTopic.keys()],
  };
}

/** The wire form of a message: who sent it, and what. */
export interface BusEnvelope {
  readonly origin: string;
  readonly payload: unknown;
}

/** Parses an envelope; undefined for anything else (a foreign publisher on the channel). */
export function parseEnvelope(text: string): BusEnvelope | undefined {
  try {
    const value = JSON.parse(text) as { origin?: unknown; payload?: unknown };
    return typeof value.origin === "string" ? { origin: value.origin, payload: value.payload } : undefined;
  } catch {
    return undefined;
  }
}

/** Resolves true once `bus` has no problem, or false after `timeoutMs`. */
export async function waitForBus(bus: Pick<Bus, "problem">, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (bus.problem !== undefined) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}
