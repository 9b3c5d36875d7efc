import { createRequire } from "node:module";
import { type Dialect, MysqlDialect } from "kysely";
import type * as Mysql2 from "mysql2";
import type { PoolOptions } from "./postgres-dialect.js";

/** A kysely dialect on a `mysql2` pool (MySQL 8 and MariaDB 10.6+). */
// Loaded when a MySQL database is opened: a gateway on SQLite or PostgreSQL never pays for mysql2.
const require = createRequire(import.meta.url);

export function createMysqlDialect(url: string, pool: PoolOptions): Dialect {
  const { createPool } = require("mysql2") as typeof Mysql2;
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
