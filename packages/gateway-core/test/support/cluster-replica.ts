import { createGateway, type Gateway, loadSettings } from "../../src/index.js";

/** A started replica: the gateway and its base URL. */
export interface ClusterReplica {
  readonly gateway: Gateway;
  readonly base: string;
}

/**
 * Starts one replica of a test cluster on `databaseUrl`, sharing `secret` (JWTs and session ids)
 * with the others: small pool, random port, silent, no periodic health checks unless `settings`
 * (the cache settings, and anything else) say otherwise.
 */
export async function startClusterReplica(
  databaseUrl: string,
  secret: string,
  settings: Record<string, string>,
): Promise<ClusterReplica> {
  const gateway = createGateway({
    settings: loadSettings({
      DATABASE_URL: databaseUrl,
      DB_POOL_SIZE: "4",
      DB_MAX_OVERFLOW: "0",
      PORT: "0",
      LOG_LEVEL: "silent",
      JWT_SECRET_KEY: secret,
      AUTH_ENCRYPTION_SECRET: secret,
      HEALTH_CHECK_INTERVAL: "0",
      ...settings,
    }),
  });
  return { gateway, base: (await gateway.start()).url };
}

/** The settings of a replica whose cache and bus are the Redis namespace `redis`. */
export function redisCacheSettings(redis: {
  readonly url: string;
  readonly prefix: string;
}): Record<string, string> {
  return { CACHE_TYPE: "redis", REDIS_URL: redis.url, CACHE_PREFIX: redis.prefix };
}
