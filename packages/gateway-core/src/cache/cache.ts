/**
 * A key-value cache shared by the gateway's components (and, with Redis or the database, by
 * its replicas). Values are strings: callers serialise what they store. A failed operation
 * rejects; callers on a request path treat a failed read as a miss.
 */
export interface Cache {
  /** The stored value, or undefined when absent or expired. */
  get(key: string): Promise<string | undefined>;
  /**
   * Stores `value` for `ttlSeconds` (default: the cache's TTL; 0: until evicted or deleted).
   * A value larger than the cache's item limit is not stored, and any older value is dropped.
   */
  set(key: string, value: string, ttlSeconds?: number): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Adds one to the counter at `key` and returns the new count; a new (or expired) counter
   * starts at 1 and expires `ttlSeconds` later: a fixed window, as rate limits count.
   */
  incr(key: string, ttlSeconds: number): Promise<number>;
  /** Deletes every key starting with `prefix` (every key for ""). */
  clear(prefix?: string): Promise<void>;
  /** Releases connections and timers; idempotent. */
  close(): Promise<void>;
}

/** Limits every backend applies (from CACHE_TTL, CACHE_MAX_ITEM_BYTES and CACHE_MAX_ITEMS). */
export interface CacheLimits {
  /** Lifetime of an entry written without its own, in seconds. */
  readonly ttlSeconds: number;
  /** Largest value stored, in UTF-8 bytes. */
  readonly maxItemBytes: number;
}

/** The logging the cache and bus need; a pino logger fits. */
export interface CacheLogger {
  info(details: Record<string, unknown>, message: string): void;
  warn(details: Record<string, unknown>, message: string): void;
}

/** Milliseconds an entry written with `ttlSeconds` (or the default) lives; 0 = no expiry. */
export function lifetimeMs(ttlSeconds: number | undefined, limits: CacheLimits): number {
  const seconds = ttlSeconds ?? limits.ttlSeconds;
  if (!(Number.isFinite(seconds) && seconds >= 0)) throw new RangeError("ttlSeconds must be 0 or more");
  return Math.ceil(seconds * 1000);
}

/** Whether `value` is larger than the cache stores. */
export function tooLarge(value: string, limits: CacheLimits): boolean {
  // A UTF-8 byte is at least one UTF-16 unit and at most three: skip the count when it cannot matter.
  if (value.length * 3 <= limits.maxItemBytes) return false;
  return Buffer.byteLength(value, "utf8") > limits.maxItemBytes;
}

/** Checks limits once, at construction. */
export function checkLimits(limits: CacheLimits): void {
  if (!(Number.isFinite(limits.ttlSeconds) && limits.ttlSeconds >= 0))
    throw new RangeError("ttlSeconds must be 0 or more");
  if (!(Number.isSafeInteger(limits.maxItemBytes) && limits.maxItemBytes > 0))
    throw new RangeError("maxItemBytes must be a positive integer");
}
