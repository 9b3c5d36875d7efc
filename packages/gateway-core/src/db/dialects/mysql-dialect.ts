import { type Dialect, MysqlDialect } from "kysely";
import { createPool } from "mysql2";
import type { PoolOptions } from "./postgres-dialect.js";

/** A kysely dialect on a `mysql2` pool (MySQL 8 and MariaDB 10.6+). */
export function createMysqlDialect(url: string, pool: PoolOptions): Dialect {
  return new MysqlDialect({
    pool: createPool({
      uri: url,
      connectionLimit: pool.size + pool.maxOverflow,
      maxIdle: pool.size,
      idleTimeout: pool.recycleSeconds * 1000,
      connectTimeout: pool.timeoutSeconds * 1000,
      // Timestamps are stored as ISO strings; keep any DATETIME a string too.
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: false,
      charset: "utf8mb4",
    }),
  });
}
