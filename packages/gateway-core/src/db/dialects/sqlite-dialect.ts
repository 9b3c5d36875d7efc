import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import {
  CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  SqliteAdapter,
  type SqliteDatabase,
  type SqliteDialectConfig,
  SqliteDriver,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type SqliteStatement,
} from "kysely";

/** Node's sqlite binds only null, numbers, bigints, strings and bytes. */
function toSqliteValue(value: unknown): SQLInputValue {
  if (value === undefined || value === null) return null;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object" && !(value instanceof Uint8Array)) return JSON.stringify(value);
  return value as SQLInputValue;
}

const READER = /^\s*(select|with|pragma|values|explain)\b|\breturning\b/i;

/** Adapts a `node:sqlite` statement to the shape kysely's SQLite driver expects. */
class NodeSqliteStatement implements SqliteStatement {
  readonly reader: boolean;
  readonly #statement: StatementSync;

  constructor(statement: StatementSync, sql: string) {
    this.#statement = statement;
    // `columns()` exists from Node 22.16; older 22.x falls back to reading the SQL.
    this.reader = typeof statement.columns === "function" ? statement.columns().length > 0 : READER.test(sql);
  }

  all(parameters: ReadonlyArray<unknown>): unknown[] {
    return this.#statement.all(...parameters.map(toSqliteValue));
  }

  run(parameters: ReadonlyArray<unknown>): { changes: number | bigint; lastInsertRowid: number | bigint } {
    return this.#statement.run(...parameters.map(toSqliteValue));
  }

  iterate(parameters: ReadonlyArray<unknown>): IterableIterator<unknown> {
    return this.#statement.iterate(...parameters.map(toSqliteValue));
  }
}

/** Adapts `node:sqlite`'s `DatabaseSync` to kysely's `SqliteDatabase`. */
class NodeSqliteDatabase implements SqliteDatabase {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  prepare(sql: string): SqliteStatement {
    return new NodeSqliteStatement(this.#db.prepare(sql), sql);
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}

/**
 * Write transactions start with `BEGIN IMMEDIATE`: the write lock is taken up front, so two
 * processes on one file (two gateways starting, each migrating) queue behind `busy_timeout`
 * instead of failing with SQLITE_BUSY when a read transaction tries to become a write.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }
}

/**
 * SQLite's DDL is transactional: declaring it makes kysely's migrator run in one (immediate)
 * transaction, which is the cross-process lock for SQLite.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class NodeSqliteDialect implements Dialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    this.#config = config;
  }

  createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }

  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}

/**
 * A kysely dialect on `node:sqlite` (no native build): WAL journal, a 5 s busy timeout and
 * foreign keys on. `path` may be `:memory:`; the file's folder is created when missing.
 */
export function createSqliteDialect(path: string, busyTimeoutMs = 5_000): Dialect {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const database = new NodeSqliteDatabase(
    (() => {
      const db = new DatabaseSync(path, { timeout: busyTimeoutMs });
      db.exec("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;");
      return db;
    })(),
  );
  return new NodeSqliteDialect({ database });
}
