import { closeRedisClient, createRedisClient } from "../../cache/redis-client.js";
import { type SessionEventLog, type SessionEventLogLimits, streamTtlSeconds } from "./session-event-log.js";

/** Options of {@link createRedisSessionEventLog}. */
export interface RedisSessionEventLogOptions extends SessionEventLogLimits {
  /** `REDIS_URL`. */
  readonly url: string;
  /** `CACHE_PREFIX`: keys are `<prefix>mcp-events:...` and `<prefix>mcp-replica:<id>`. */
  readonly prefix: string;
  /** This replica's id, marked as running while the log is open. */
  readonly replica: string;
  /** Milliseconds between renewals of the running mark (it lives three times as long). Default 2000. */
  readonly heartbeatMs?: number;
}

interface StoredEvent {
  readonly i: string;
  readonly m?: unknown;
  readonly q?: readonly (string | number)[];
  readonly r: string;
}

/**
 * The event log shared by the replicas of one Redis and prefix: a capped list per stream, written
 * in one pipelined round trip per event, and a running mark per replica (renewed every `heartbeatMs`), so a replica
 * that resumes a stream can tell that the replica serving its request is gone.
 */
export function createRedisSessionEventLog(options: RedisSessionEventLogOptions): SessionEventLog {
  const client = createRedisClient(options.url, { maxRetriesPerRequest: 1 });
  const base = `${options.prefix}mcp-events:`;
  const running = (replica: string): string => `${options.prefix}mcp-replica:${replica}`;
  const heartbeatMs = options.heartbeatMs ?? 2_000;
  const markTtlMs = heartbeatMs * 3;
  const mark = (): void => {
    client.set(running(options.replica), "1", "PX", markTtlMs).catch(() => {
      // Redis is away: the mark lapses and others treat this replica as gone, as they should.
    });
  };
  mark();
  const heartbeat = setInterval(mark, heartbeatMs);
  heartbeat.unref();
  let closed = false;

  return {
    async append(session, streamId, event) {
      const stored: StoredEvent = {
        i: event.id,
        ...(event.message === undefined ? {} : { m: event.message }),
        ...(event.requests === undefined ? {} : { q: event.requests }),
        r: event.replica,
      };
      const key = `${base}${session}:s:${streamId}`;
      const results = await client
        .pipeline()
        .rpush(key, JSON.stringify(stored))
        .ltrim(key, -options.eventsPerStream, -1)
        .expire(key, streamTtlSeconds(streamId, options))
        .exec();
      const failed = results?.find(([error]) => error !== null)?.[0];
      if (failed) throw failed;
    },
    async read(session, streamId) {
      const entries = await client.lrange(`${base}${session}:s:${streamId}`, 0, -1);
      return entries.map((entry) => {
        const stored = JSON.parse(entry) as StoredEvent;
        return {
          id: stored.i,
          ...(stored.m === undefined ? {} : { message: stored.m }),
          ...(stored.q === undefined ? {} : { requests: stored.q }),
          replica: stored.r,
        };
      });
    },
    async isRunning(replica) {
      return (await client.exists(running(replica))) === 1;
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      await client.del(running(options.replica)).catch(() => {});
      await closeRedisClient(client);
    },
  };
}
