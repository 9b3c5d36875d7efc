import { type Dialect, PostgresDialect } from "kysely";
import pg from "pg";

/** Pool sizing, from the DB_POOL_* settings. */
export interface PoolOptions {
  readonly size: number;
  readonly maxOverflow: number;
  readonly timeoutSeconds: number;
  readonly recycleSeconds: number;
}

// int8 (counts, sums) as JS numbers rather than strings; values stay far below 2^53 here.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));

/** A kysely dialect on a `pg` pool of at most `size + maxOverflow` connections. */
export function createPostgresDialect(url: string, pool: PoolOptions): Dialect {
  return new PostgresDialect({
    pool: new pg.Pool({
      connectionString: url,
      max: pool.size + pool.maxOverflow,
      connectionTimeoutMillis: pool.timeoutSeconds * 1000,
      maxLifetimeSeconds: pool.recycleSeconds,
      idleTimeoutMillis: 30_000,
      application_name: "mcpgateway",
    }),
  });
}
