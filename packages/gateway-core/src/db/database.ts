import { Kysely, sql } from "kysely";
import type { Settings } from "../config/settings-schema.js";
import type { DatabaseSchema } from "./database-schema.js";
import { type DialectName, parseDatabaseUrl } from "./database-url.js";
import { createMysqlDialect } from "./dialects/mysql-dialect.js";
import { createPostgresDialect, type PoolOptions } from "./dialects/postgres-dialect.js";
import { createSqliteDialect } from "./dialects/sqlite-dialect.js";

/** An open database: the typed query builder and what is needed to run it. */
export interface Database {
  readonly db: Kysely<DatabaseSchema>;
  readonly dialect: DialectName;
  /** Queries run since the database was opened (for metrics, and tests that prove a path runs none). */
  readonly queryCount: number;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  /** Closes every pooled connection; idempotent. */
  close(): Promise<void>;
}

/** Opens the database `DATABASE_URL` names, with the pool sized from the DB_POOL_* settings. */
export function openDatabase(
  settings: Pick<
    Settings,
    "DATABASE_URL" | "DB_POOL_SIZE" | "DB_MAX_OVERFLOW" | "DB_POOL_TIMEOUT" | "DB_POOL_RECYCLE"
  >,
): Database {
  const target = parseDatabaseUrl(settings.DATABASE_URL);
  const pool: PoolOptions = {
    size: settings.DB_POOL_SIZE,
    maxOverflow: settings.DB_MAX_OVERFLOW,
    timeoutSeconds: settings.DB_POOL_TIMEOUT,
    recycleSeconds: settings.DB_POOL_RECYCLE,
  };
  const dialect =
    target.dialect === "sqlite"
      ? createSqliteDialect(target.path)
      : target.dialect === "postgres"
        ? createPostgresDialect(target.url, pool)
        : createMysqlDialect(target.url, pool);
  let queries = 0;
  const db = new Kysely<DatabaseSchema>({
    dialect,
    log: () => {
      queries++;
    },
  });
  let closed: Promise<void> | undefined;
  return {
    db,
    dialect: target.dialect,
    get queryCount() {
      return queries;
    },
    async ping() {
      await sql`select 1`.execute(db);
    },
    close() {
      closed ??= db.destroy();
      return closed;
    },
  };
}
