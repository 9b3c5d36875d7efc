import { LRUCache } from "lru-cache";

/** A JSON-RPC request id, as the client chose it. */
export type StreamRequestId = string | number;

/** One event of a 2025 session's SSE stream, as kept for a client that reconnects. */
export interface SessionEvent {
  /** The SSE event id the client saw (see `SessionEventStore`). */
  readonly id: string;
  /** The JSON-RPC message; undefined for a stream's priming event (an id and no data). */
  readonly message?: unknown;
  /** On a POST stream's priming event: the requests the stream answers. */
  readonly requests?: readonly StreamRequestId[];
  /** The replica whose copy of the session sent the event. */
  readonly replica: string;
}

/**
 * Where the events of 2025 sessions' SSE streams are kept for resumption (`Last-Event-ID`), by
 * session and stream: in this process ({@link createMemorySessionEventLog}) or in Redis, shared
 * by every replica ({@link createRedisSessionEventLog}). Bounded per stream, expiring with the
 * session.
 */
export interface SessionEventLog {
  /**
   * Appends `event` to a stream of `session` (a key, not the session id itself). Appends from one
   * replica are kept in the order they were made, whether or not their promises were awaited.
   */
  append(session: string, streamId: string, event: SessionEvent): Promise<void>;
  /** The stream's kept events, oldest first. */
  read(session: string, streamId: string): Promise<SessionEvent[]>;
  /** Whether `replica` is running (it renews its mark while it does). */
  isRunning(replica: string): Promise<boolean>;
  /** Stops renewing this replica's mark and releases connections; idempotent. */
  close(): Promise<void>;
}

/** The id the SDK gives every session's standalone (GET) stream. */
export const STANDALONE_STREAM = "_GET_stream";

/**
 * Seconds a request's stream is kept after its last event: long enough for a client to come
 * back after a dropped connection, short enough that a busy replica set does not hoard answers
 * that were delivered long ago.
 */
export const REQUEST_STREAM_TTL_SECONDS = 300;

/** Limits of an event log. */
export interface SessionEventLogLimits {
  /** Events kept per stream (the oldest dropped first). */
  readonly eventsPerStream: number;
  /** Seconds a session's standalone stream lives after its last event (the session idle timeout). */
  readonly ttlSeconds: number;
}

/** Seconds `streamId`'s events live after its last one. */
export function streamTtlSeconds(streamId: string, limits: SessionEventLogLimits): number {
  return streamId === STANDALONE_STREAM
    ? limits.ttlSeconds
    : Math.min(limits.ttlSeconds, REQUEST_STREAM_TTL_SECONDS);
}

interface MemoryStream {
  readonly events: SessionEvent[];
  expires: number;
}

interface MemorySession {
  readonly streams: Map<string, MemoryStream>;
}

/** Request streams one session keeps in memory (the least recently written dropped first). */
const STREAMS_PER_SESSION = 100;

/**
 * The event log of a single replica: in memory, bounded by `maxSessions` (least recently written
 * dropped first) and by the session TTL. Any other replica id is not running, as far as it knows.
 */
export function createMemorySessionEventLog(
  limits: SessionEventLogLimits & { readonly maxSessions: number; readonly replica: string },
): SessionEventLog {
  const sessions = new LRUCache<string, MemorySession>({
    max: Math.max(1, limits.maxSessions),
    ttl: Math.max(1, limits.ttlSeconds) * 1000,
    updateAgeOnGet: false,
  });
  return {
    async append(session, streamId, event) {
      const entry = sessions.get(session) ?? { streams: new Map<string, MemoryStream>() };
      // Writing renews the session's lifetime.
      sessions.set(session, entry);
      const now = Date.now();
      const stream = entry.streams.get(streamId) ?? { events: [], expires: 0 };
      entry.streams.delete(streamId);
      entry.streams.set(streamId, stream);
      stream.expires = now + streamTtlSeconds(streamId, limits) * 1000;
      stream.events.push(event);
      if (stream.events.length > limits.eventsPerStream)
        stream.events.splice(0, stream.events.length - limits.eventsPerStream);
      // Least recently written first: drop what expired, and request streams past the cap.
      for (const [id, other] of entry.streams) {
        if (entry.streams.size <= STREAMS_PER_SESSION && other.expires > now) break;
        if (id === streamId) continue;
        if (other.expires <= now || (id !== STANDALONE_STREAM && entry.streams.size > STREAMS_PER_SESSION))
          entry.streams.delete(id);
      }
    },
    async read(session, streamId) {
      const stream = sessions.get(session)?.streams.get(streamId);
      return stream && stream.expires > Date.now() ? [...stream.events] : [];
    },
    async isRunning(replica) {
      return replica === limits.replica;
    },
    async close() {
      sessions.clear();
    },
  };
}
