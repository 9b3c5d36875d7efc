import type { Cache } from "../../cache/cache.js";
import type { Settings } from "../../config/settings.js";
import type { Logger } from "../../observability/logger.js";
import { createRedisSessionEventLog } from "./redis-session-event-log.js";
import { SessionActivity } from "./session-activity.js";
import { createMemorySessionEventLog, type SessionEventLog } from "./session-event-log.js";

/** How the 2025 sessions' streams outlive a dropped connection and a replica, as settings chose. */
export interface SessionStreams {
  /** The event log, unless MCP_STREAM_EVENT_HISTORY=0. */
  readonly events:
    | { readonly log: SessionEventLog; readonly replica: string; onLogError(error: unknown): void }
    | undefined;
  readonly activity: SessionActivity;
  close(): Promise<void>;
}

/**
 * The event log (shared through Redis with CACHE_TYPE=redis, else in this process) and the
 * sessions' shared last-use marks (through the cache), for replica `replica`.
 */
export function openSessionStreams(
  settings: Pick<
    Settings,
    | "CACHE_TYPE"
    | "REDIS_URL"
    | "CACHE_PREFIX"
    | "MCP_STREAM_EVENT_HISTORY"
    | "MCP_SESSION_IDLE_TIMEOUT"
    | "MCP_MAX_SESSIONS"
  >,
  cache: Cache,
  replica: string,
  logger: Logger,
): SessionStreams {
  const limits = {
    eventsPerStream: settings.MCP_STREAM_EVENT_HISTORY,
    ttlSeconds: settings.MCP_SESSION_IDLE_TIMEOUT,
  };
  const log =
    settings.MCP_STREAM_EVENT_HISTORY === 0
      ? undefined
      : settings.CACHE_TYPE === "redis"
        ? createRedisSessionEventLog({
            ...limits,
            url: settings.REDIS_URL,
            prefix: settings.CACHE_PREFIX,
            replica,
          })
        : createMemorySessionEventLog({ ...limits, maxSessions: settings.MCP_MAX_SESSIONS, replica });
  let warned = 0;
  return {
    events:
      log === undefined
        ? undefined
        : {
            log,
            replica,
            onLogError(error) {
              // Once a minute at most: a Redis outage must not flood the log.
              if (Date.now() - warned < 60_000) return;
              warned = Date.now();
              logger.warn(
                { err: error },
                "MCP stream events cannot be kept; streams are not resumable meanwhile",
              );
            },
          },
    activity: new SessionActivity(cache, settings.MCP_SESSION_IDLE_TIMEOUT * 1000),
    close: async () => {
      await log?.close();
    },
  };
}
