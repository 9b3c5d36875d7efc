import { randomUUID } from "node:crypto";
import { type Bus, checkTopic, createBusListeners, parseEnvelope } from "./bus.js";
import type { CacheLogger } from "./cache.js";
import { closeRedisClient, createRedisClient } from "./redis-client.js";

/** Options of {@link createRedisBus}. */
export interface RedisBusOptions {
  /** `REDIS_URL`. */
  readonly url: string;
  /** `CACHE_PREFIX`: a topic's channel is `<prefix>bus:<topic>`. */
  readonly prefix: string;
  readonly logger: CacheLogger;
  readonly instanceId?: string;
}

/**
 * The bus on Redis pub/sub (ioredis): one connection publishes, a dedicated one subscribes
 * (a subscribed connection can do nothing else). ioredis reconnects a lost connection; this
 * bus then subscribes again and runs the resync handlers, since messages sent meanwhile are
 * gone (pub/sub keeps nothing). Publishes made while Redis is down wait in ioredis' offline
 * queue and go out on reconnection.
 */
export function createRedisBus(options: RedisBusOptions): Bus {
  const { logger } = options;
  const instanceId = options.instanceId ?? randomUUID();
  const channelPrefix = `${options.prefix}bus:`;
  const publisher = createRedisClient(options.url, { maxRetriesPerRequest: null });
  const subscriber = createRedisClient(options.url, { maxRetriesPerRequest: null, autoResubscribe: false });
  let started = false;
  let closed = false;
  let receiving: string | undefined = "Redis bus not started";
  let publishing: string | undefined;
  let outage = false;
  /** The last connection error: more telling than the "close" that follows it. */
  let lastError: string | undefined;

  const listeners = createBusListeners(logger, (topic) => {
    // While disconnected, the next "ready" subscribes every topic.
    if (subscriber.status === "ready") {
      subscriber.subscribe(channelPrefix + topic).catch((error: unknown) => {
        logger.warn({ err: error, topic }, "Redis bus could not subscribe");
      });
    }
  });

  const down = (reason: string): void => {
    if (closed) return;
    receiving = `Redis bus unavailable: ${reason}`;
    if (outage) return;
    outage = true;
    logger.warn(
      { reason },
      "Redis bus unavailable; reconnecting (changes on other replicas are not seen meanwhile)",
    );
  };

  subscriber.on("error", (error: Error) => {
    lastError = error.message;
    down(error.message);
  });
  subscriber.on("close", () => down(lastError ?? "connection closed"));
  subscriber.on("ready", () => {
    void (async () => {
      const channels = listeners.topics().map((topic) => channelPrefix + topic);
      try {
        if (channels.length > 0) await subscriber.subscribe(...channels);
      } catch (error) {
        down(error instanceof Error ? error.message : String(error));
        return;
      }
      if (closed || subscriber.status !== "ready") return;
      receiving = undefined;
      lastError = undefined;
      if (outage) logger.info({}, "Redis bus connected again; refreshing local state");
      outage = false;
      // Whatever was published while this replica was not subscribed is lost.
      listeners.resync();
    })();
  });
  subscriber.on("message", (channel: string, message: string) => {
    if (closed || !channel.startsWith(channelPrefix)) return;
    const envelope = parseEnvelope(message);
    if (!envelope || envelope.origin === instanceId) return;
    listeners.deliver(channel.slice(channelPrefix.length), envelope.payload);
  });
  publisher.on("error", (error: Error) => {
    publishing = `Redis bus cannot publish: ${error.message}`;
  });
  publisher.on("ready", () => {
    publishing = undefined;
  });

  return {
    instanceId,
    get problem() {
      return receiving ?? publishing;
    },
    async start() {
      if (started || closed) return;
      started = true;
      receiving = "Redis bus connecting";
      // A failed first attempt is reported through "error" events; ioredis keeps retrying.
      subscriber.connect().catch(() => {});
      if (publisher.status === "wait") publisher.connect().catch(() => {});
    },
    async publish(topic, payload) {
      checkTopic(topic);
      if (closed) return;
      await publisher.publish(channelPrefix + topic, JSON.stringify({ origin: instanceId, payload }));
    },
    subscribe: listeners.subscribe,
    onResync: listeners.onResync,
    async close() {
      if (closed) return;
      closed = true;
      receiving = "Redis bus closed";
      await Promise.all([closeRedisClient(subscriber), closeRedisClient(publisher)]);
    },
  };
}
