import type { Redis } from "ioredis";
import type { LeaderLease } from "./leader.js";

// Compare-and-extend and compare-and-delete: atomic on the server, so a holder whose lease
// expired and was taken over can neither extend nor delete the new holder's lease.
const EXTEND = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) end return 0`;
const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) end return 0`;

/** The Redis commands a lease needs (an ioredis client). */
export type RedisLeaseClient = Pick<Redis, "set" | "eval">;

/**
 * A lease in one Redis key (`<CACHE_PREFIX>leader`) holding the leader's instance id:
 * `SET key id NX PX ttl` takes a free one, a Lua compare-and-extend renews one's own, and the key
 * expiring frees it for the next instance.
 */
export function createRedisLeaderLease(redis: RedisLeaseClient, key: string): LeaderLease {
  return {
    async acquire(holder, ttlMs) {
      if ((await redis.set(key, holder, "PX", ttlMs, "NX")) === "OK") return true;
      return Number(await redis.eval(EXTEND, 1, key, holder, ttlMs)) === 1;
    },
    async release(holder) {
      await redis.eval(RELEASE, 1, key, holder);
    },
  };
}
