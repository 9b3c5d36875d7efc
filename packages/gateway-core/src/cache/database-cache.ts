import { createHash } from "node:crypto";
import { type Kysely, sql } from "kysely";
import { type Cache, type CacheLimits, checkLimits, lifetimeMs, tooLarge } from "./cache.js";
import type { CacheDialect, CacheTables } from "./cache-tables.js";
import { counterValue } from "./memory-cache.js";

/** Options of {@link createDatabaseCache}. */
export interface DatabaseCacheOptions extends CacheLimits {
  readonly db: Kysely<CacheTables>;
  readonly dialect: CacheDialect;
  /** Milliseconds between deletions of expired rows; default a minute. */
  readonly pruneIntervalMs?: number;
}

/** The key column holds 512 bytes; longer keys keep a readable head and a hash of the whole. */
const MAX_KEY_BYTES = 512;
const KEY_HEAD_BYTES = 400;
/** Attempts of a contended counter update before giving up. */
const INCR_ATTEMPTS = 50;

function storedKey(key: string): string {
  if (Buffer.byteLength(key, "utf8") <= MAX_KEY_BYTES) return key;
  let head = "";
  let bytes = 0;
  for (const char of key) {
    bytes += Buffer.byteLength(char, "utf8");
    if (bytes > KEY_HEAD_BYTES) break;
    head += char;
  }
  return `${head}#${createHash("sha256").update(key).digest("hex")}`;
}

/**
 * A condition matching the keys that start with `prefix`, case-sensitively on every engine:
 * SQLite's LIKE ignores ASCII case, its GLOB does not; elsewhere LIKE with `!` as the escape.
 */
function startsWith(prefix: string, dialect: CacheDialect) {
  if (dialect === "sqlite") {
    const pattern = `${prefix.replace(/[*?[]/g, "[$&]")}*`;
    return sql<boolean>`${sql.ref("key")} glob ${pattern}`;
  }
  const pattern = `${prefix.replace(/[!%_]/g, "!$&")}%`;
  return sql<boolean>`${sql.ref("key")} like ${pattern} escape '!'`;
}

const isoIn = (ms: number): string | null => (ms === 0 ? null : new Date(Date.now() + ms).toISOString());
const expired = (expiresAt: string | null, now: string): boolean => expiresAt !== null && expiresAt <= now;

/**
 * A cache in the gateway's database (`cache_entries`), shared by every replica on it: for
 * deployments with several replicas and no Redis. Expired rows are ignored when read and
 * deleted every minute once something was written.
 *
 * @throws {RangeError} when a limit is out of range.
 */
export function createDatabaseCache(options: DatabaseCacheOptions): Cache {
  checkLimits(options);
  const { db, dialect } = options;
  const pruneIntervalMs = options.pruneIntervalMs ?? 60_000;
  let pruneTimer: NodeJS.Timeout | undefined;
  let pruning: Promise<unknown> = Promise.resolve();
  let closed = false;

  const prune = (): void => {
    const now = new Date().toISOString();
    // Best effort: the next round retries, and readers skip expired rows anyway.
    pruning = db
      .deleteFrom("cache_entries")
      .where("expires_at", "<=", now)
      .execute()
      .catch(() => {});
  };
  const startPruning = (): void => {
    if (pruneTimer || closed) return;
    pruneTimer = setInterval(prune, pruneIntervalMs);
    pruneTimer.unref();
  };

  const write = async (key: string, value: string, expiresAt: string | null): Promise<void> => {
    const row = { key, value, expires_at: expiresAt };
    const insert = db.insertInto("cache_entries").values(row);
    if (dialect === "mysql") await insert.onDuplicateKeyUpdate({ value, expires_at: expiresAt }).execute();
    else
      await insert.onConflict((c) => c.column("key").doUpdateSet({ value, expires_at: expiresAt })).execute();
  };

  /** Replaces `previous` with `next` unless another writer changed the row first. */
  const swap = async (
    key: string,
    previous: { value: string; expires_at: string | null },
    next: { value: string; expires_at: string | null },
  ): Promise<boolean> => {
    const result = await db
      .updateTable("cache_entries")
      .set(next)
      .where("key", "=", key)
      .where("value", "=", previous.value)
      .where((eb) =>
        previous.expires_at === null
          ? eb("expires_at", "is", null)
          : eb("expires_at", "=", previous.expires_at),
      )
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  };

  const read = (key: string) =>
    db.selectFrom("cache_entries").select(["value", "expires_at"]).where("key", "=", key).executeTakeFirst();

  return {
    async get(key) {
      const row = await read(storedKey(key));
      if (!row || expired(row.expires_at, new Date().toISOString())) return undefined;
      return row.value;
    },
    async set(key, value, ttlSeconds) {
      const ttl = lifetimeMs(ttlSeconds, options);
      if (tooLarge(value, options)) {
        await db.deleteFrom("cache_entries").where("key", "=", storedKey(key)).execute();
        return;
      }
      await write(storedKey(key), value, isoIn(ttl));
      startPruning();
    },
    async delete(key) {
      await db.deleteFrom("cache_entries").where("key", "=", storedKey(key)).execute();
    },
    async incr(key, ttlSeconds) {
      const ttl = lifetimeMs(ttlSeconds, options);
      const stored = storedKey(key);
      startPruning();
      // Compare-and-set: portable over the three engines, and a counter only grows, so a row's
      // (value, expiry) pair is never seen twice.
      for (let attempt = 0; attempt < INCR_ATTEMPTS; attempt++) {
        const row = await read(stored);
        const fresh = { value: "1", expires_at: isoIn(ttl) };
        if (!row) {
          try {
            await db
              .insertInto("cache_entries")
              .values({ key: stored, ...fresh })
              .execute();
            return 1;
          } catch (error) {
            // Another replica created it first: count on its row. Anything else is a real failure.
            if (!(await read(stored))) throw error;
            continue;
          }
        }
        if (expired(row.expires_at, new Date().toISOString())) {
          if (await swap(stored, row, fresh)) return 1;
          continue;
        }
        const count = counterValue(key, row.value) + 1;
        if (await swap(stored, row, { value: String(count), expires_at: row.expires_at })) return count;
      }
      throw new Error(`cache counter ${key} is too contended`);
    },
    async clear(prefix = "") {
      await db.deleteFrom("cache_entries").where(startsWith(prefix, dialect)).execute();
    },
    async close() {
      closed = true;
      clearInterval(pruneTimer);
      await pruning;
    },
  };
}
