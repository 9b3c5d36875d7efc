import { randomUUID } from "node:crypto";
import { type Bus, type BusEnvelope, checkTopic, createBusListeners } from "./bus.js";
import type { CacheLogger } from "./cache.js";

/** Buses in one process that hear each other (gateways embedded side by side, tests). */
export interface InProcessChannel {
  /** Joins `receive` to the channel; returns the leave function. */
  join(receive: (topic: string, envelope: BusEnvelope) => void): () => void;
  send(topic: string, envelope: BusEnvelope): void;
}

/** A channel that delivers each message, serialised and on a later tick, to every member. */
export function createInProcessChannel(): InProcessChannel {
  const members = new Set<(topic: string, envelope: BusEnvelope) => void>();
  return {
    join(receive) {
      members.add(receive);
      return () => members.delete(receive);
    },
    send(topic, envelope) {
      // A copy through JSON, as over a wire: no receiver shares (or can mutate) the sender's object.
      const text = JSON.stringify(envelope.payload) ?? "null";
      for (const receive of members) {
        queueMicrotask(() => receive(topic, { origin: envelope.origin, payload: JSON.parse(text) }));
      }
    },
  };
}

/** Options of {@link createMemoryBus}. */
export interface MemoryBusOptions {
  readonly logger: CacheLogger;
  /** Shared with other buses in this process; by default a private one (a single instance). */
  readonly channel?: InProcessChannel;
  readonly instanceId?: string;
}

/**
 * The bus of `CACHE_TYPE=memory` and `none`: a single instance has nobody to tell, so by
 * default it delivers nothing; buses given one {@link InProcessChannel} hear each other.
 */
export function createMemoryBus(options: MemoryBusOptions): Bus {
  const instanceId = options.instanceId ?? randomUUID();
  const channel = options.channel ?? createInProcessChannel();
  const listeners = createBusListeners(options.logger);
  let leave: (() => void) | undefined;
  let closed = false;
  return {
    instanceId,
    get problem() {
      return closed ? "bus closed" : undefined;
    },
    async start() {
      if (leave || closed) return;
      leave = channel.join((topic, envelope) => {
        if (envelope.origin !== instanceId && !closed) listeners.deliver(topic, envelope.payload);
      });
    },
    async publish(topic, payload) {
      checkTopic(topic);
      if (!closed) channel.send(topic, { origin: instanceId, payload });
    },
    subscribe: listeners.subscribe,
    onResync: listeners.onResync,
    async close() {
      closed = true;
      leave?.();
    },
  };
}
