import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";
import type { DialectName } from "../database-url.js";

// Frozen: once released, never edit this file; add a new migration instead.

/**
 * Federation between gateways: `federation_identity` holds this gateway's federation id (one row,
 * `name` = `self`; the primary key lets one of several replicas starting at once store it), and
 * `gateways.federation_id` the id a registered peer gateway reported at discovery (null for plain
 * MCP servers), so its items are never re-exported to it. Each step is skipped when already done:
 * on SQLite and MariaDB, where DDL does not roll back, an interrupted run can simply be run again.
 */
export function federationMigration(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("federation_identity")
        .ifNotExists()
        .addColumn("name", "varchar(32)", (c) => c.primaryKey())
        .addColumn("federation_id", "varchar(64)", (c) => c.notNull())
        .addColumn("created_at", "varchar(32)", (c) => c.notNull())
        .execute();
      const present = dialect === "postgres" ? new Set<string>() : await gatewayColumns(db);
      if (!present.has("federation_id"))
        await db.schema.alterTable("gateways").addColumn("federation_id", "varchar(64)").execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable("gateways").dropColumn("federation_id").execute();
      await db.schema.dropTable("federation_identity").ifExists().execute();
    },
  };
}

/** The columns of `gateways` (SQLite and MySQL introspection look in the connection's own database). */
async function gatewayColumns(db: Kysely<unknown>): Promise<ReadonlySet<string>> {
  const tables = await db.introspection.getTables();
  const gateways = tables.find((table) => table.name === "gateways");
  return new Set(gateways?.columns.map((column) => column.name) ?? []);
}
