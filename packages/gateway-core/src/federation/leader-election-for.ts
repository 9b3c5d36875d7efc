import type { Kysely } from "kysely";
import { closeRedisClient, createRedisClient } from "../cache/redis-client.js";
import type { Settings } from "../config/settings.js";
import type { DatabaseSchema } from "../db/database-schema.js";
import type { DialectName } from "../db/database-url.js";
import type { Logger } from "../observability/logger.js";
import { createLeaderElection, type LeaderElection, soleLeader } from "./leader.js";
import { createDatabaseLeaderLease } from "./leader-lease-repository.js";
import { createRedisLeaderLease } from "./redis-leader-lease.js";

/** What {@link leaderElectionFor} needs. */
export interface LeaderElectionForOptions {
  readonly settings: Pick<
    Settings,
    "CACHE_TYPE" | "REDIS_URL" | "CACHE_PREFIX" | "REDIS_LEADER_TTL" | "REDIS_LEADER_HEARTBEAT_INTERVAL"
  >;
  readonly database: { readonly db: Kysely<DatabaseSchema>; readonly dialect: DialectName };
  readonly instanceId: string;
  readonly logger?: Logger;
}

/** An election and what it owns (a Redis connection): `close()` steps down and releases it. */
export interface LeaderElectionSetup {
  readonly leader: LeaderElection;
  close(): Promise<void>;
}

/**
 * The election that suits the deployment: with CACHE_TYPE `redis`, a lease in Redis
 * (`<CACHE_PREFIX>leader`); without Redis, a row of `leader_leases` on PostgreSQL or MariaDB; on
 * SQLite, which one instance owns, that instance simply leads. The lease lasts REDIS_LEADER_TTL
 * seconds and is renewed every REDIS_LEADER_HEARTBEAT_INTERVAL.
 */
export function leaderElectionFor(options: LeaderElectionForOptions): LeaderElectionSetup {
  const { settings, database, instanceId, logger } = options;
  const timing = {
    instanceId,
    ttlMs: settings.REDIS_LEADER_TTL * 1000,
    renewIntervalMs: settings.REDIS_LEADER_HEARTBEAT_INTERVAL * 1000,
    ...(logger ? { logger } : {}),
  };
  if (settings.CACHE_TYPE === "redis") {
    // Its own connection: a renewal must not queue behind cache traffic or a subscriber.
    const redis = createRedisClient(settings.REDIS_URL, { maxRetriesPerRequest: 1 });
    const leader = createLeaderElection({
      ...timing,
      lease: createRedisLeaderLease(redis, `${settings.CACHE_PREFIX}leader`),
    });
    return {
      leader,
      async close() {
        await leader.stop();
        await closeRedisClient(redis);
      },
    };
  }
  const leader =
    database.dialect === "sqlite"
      ? soleLeader(instanceId)
      : createLeaderElection({ ...timing, lease: createDatabaseLeaderLease(database.db, "leader") });
  return { leader, close: () => leader.stop() };
}
