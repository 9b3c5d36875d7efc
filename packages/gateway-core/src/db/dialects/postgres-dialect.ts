import { createRequire } from "node:module";
import { type Dialect, PostgresDialect } from "kysely";
import type Pg from "pg";

/** Pool sizing, from the DB_POOL_* settings. */
export interface PoolOptions {
  readonly size: number;
  readonly maxOverflow: number;
  readonly timeoutSeconds: number;
  readonly recycleSeconds: number;
}

// Loaded when a PostgreSQL database is opened: a gateway on SQLite or MySQL never pays for pg.
const require = createRequire(import.meta.url);

/** A kysely dialect on a `pg` pool of at most `size + maxOverflow` connections. */
export function createPostgresDialect(url: string, pool: PoolOptions): Dialect {
  const pg = require("pg") as typeof Pg;
  // int8 (counts, sums) as JS numbers rather than strings; values stay far below 2^53 here.
  pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));
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
