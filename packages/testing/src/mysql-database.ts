import { createConnection } from "mysql2/promise";
import { serviceUrl } from "./service-url.js";
import { uniqueName } from "./unique-name.js";

/** Options for {@link createMysqlDatabase}. */
export interface CreateMysqlDatabaseOptions {
  /** Server to create the database on; defaults to `TEST_MYSQL_URL` or the local instance. */
  readonly url?: string;
  /** Readable part of the database name, e.g. the suite name. */
  readonly label?: string;
}

/** A MySQL/MariaDB database owned by one test file, and the URL that selects it. */
export interface MysqlDatabase {
  /** The database name: a safe lowercase identifier of at most 63 characters. */
  readonly name: string;
  /** The server URL with this database as its path. */
  readonly url: string;
  /** Drops the database and everything in it. Safe to call twice. */
  drop(): Promise<void>;
}

async function runAdmin(url: string, sql: string): Promise<void> {
  const connection = await createConnection({ uri: url, connectTimeout: 5_000 });
  try {
    await connection.query(sql);
  } finally {
    await connection.end();
  }
}

/**
 * Creates a fresh, uniquely named database (utf8mb4) for one test file. MySQL has no schemas
 * inside a database, so a database is the unit of isolation here. Call `drop()` in `afterAll`.
 */
export async function createMysqlDatabase(options: CreateMysqlDatabaseOptions = {}): Promise<MysqlDatabase> {
  const adminUrl = options.url ?? serviceUrl("mysql");
  const name = uniqueName(options.label);
  await runAdmin(adminUrl, `create database \`${name}\` character set utf8mb4`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => runAdmin(adminUrl, `drop database if exists \`${name}\``),
  };
}
