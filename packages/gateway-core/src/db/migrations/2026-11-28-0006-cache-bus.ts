import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";
import type { DialectName } from "../database-url.js";
import type { ColumnTypes } from "./column-types.js";

// Frozen: once released, never edit this file; add a new migration instead.

async function up(db: Kysely<unknown>, types: ColumnTypes, dialect: DialectName): Promise<void> {
  // CACHE_TYPE=database: one row per cached value.
  await db.schema
    .createTable("cache_entries")
    .ifNotExists()
    // Keys compare byte for byte: MySQL's default collations ignore case and trailing spaces,
    // so there the column is binary. 512 bytes stay under every index limit; the cache hashes
    // longer keys.
    .addColumn("key", dialect === "mysql" ? "varbinary(512)" : "varchar(512)", (c) => c.primaryKey())
    .addColumn("value", types.longText, (c) => c.notNull())
    // ISO-8601 UTC; null = no expiry.
    .addColumn("expires_at", "varchar(32)")
    .execute();
  await db.schema
    .createIndex("cache_entries_expires_at")
    .ifNotExists()
    .on("cache_entries")
    .column("expires_at")
    .execute();

  // CACHE_TYPE=database: the bus. Replicas read the rows after the last id they saw, so the id
  // must only grow: an engine sequence (SQLite needs AUTOINCREMENT, or it reuses the highest id
  // once that row is pruned).
  let table = db.schema.createTable("bus_events").ifNotExists();
  table =
    dialect === "postgres"
      ? table.addColumn("id", "bigserial", (c) => c.primaryKey())
      : dialect === "mysql"
        ? table.addColumn("id", "bigint", (c) => c.primaryKey().autoIncrement())
        : table.addColumn("id", "integer", (c) => c.primaryKey().autoIncrement());
  await table
    .addColumn("topic", "varchar(64)", (c) => c.notNull())
    .addColumn("payload", types.longText, (c) => c.notNull())
    .addColumn("origin", "varchar(64)", (c) => c.notNull())
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .execute();
}

/** The tables of the database cache and bus (`CACHE_TYPE=database`). */
export function cacheBusMigration(types: ColumnTypes, dialect: DialectName): Migration {
  return {
    up: (db) => up(db, types, dialect),
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable("bus_events").ifExists().execute();
      await db.schema.dropTable("cache_entries").ifExists().execute();
    },
  };
}
