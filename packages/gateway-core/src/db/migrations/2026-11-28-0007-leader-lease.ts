import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";
import type { DialectName } from "../database-url.js";

// Frozen: once released, never edit this file; add a new migration instead.

/**
 * Periodic jobs on one instance only: `leader_leases` holds a named lease (`holder` = an instance
 * id, `expires_at` ISO-8601 UTC as varchar(32), comparable as text like every timestamp here) for
 * deployments without Redis. `gateways.last_refresh_at` records the last discovery of a gateway,
 * so the leader knows when its `refresh_interval_seconds` has elapsed, whichever instance ran it.
 * Each step is skipped when already done: on SQLite and MariaDB, where DDL does not roll back, an
 * interrupted run can simply be run again.
 */
export function leaderLeaseMigration(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("leader_leases")
        .ifNotExists()
        .addColumn("name", "varchar(64)", (c) => c.primaryKey())
        .addColumn("holder", "varchar(255)", (c) => c.notNull())
        .addColumn("expires_at", "varchar(32)", (c) => c.notNull())
        .execute();
      const present = dialect === "postgres" ? new Set<string>() : await gatewayColumns(db);
      if (!present.has("last_refresh_at"))
        await db.schema.alterTable("gateways").addColumn("last_refresh_at", "varchar(32)").execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable("gateways").dropColumn("last_refresh_at").execute();
      await db.schema.dropTable("leader_leases").ifExists().execute();
    },
  };
}

/** The columns of `gateways` (SQLite and MySQL introspection look in the connection's own database). */
async function gatewayColumns(db: Kysely<unknown>): Promise<ReadonlySet<string>> {
  const tables = await db.introspection.getTables();
  const gateways = tables.find((table) => table.name === "gateways");
  return new Set(gateways?.columns.map((column) => column.name) ?? []);
}
