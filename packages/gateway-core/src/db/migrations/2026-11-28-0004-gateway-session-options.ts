import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";
import type { DialectName } from "../database-url.js";

// Frozen: once released, never edit this file; add a new migration instead.

/**
 * How calls reach a gateway's upstream: `session_mode` (auto | pooled | per_client: whether
 * downstream sessions share upstream sessions; existing gateways get `auto`) and `timeout_seconds`
 * (a per-gateway TOOL_TIMEOUT, null for the global one). One `alter table` per column: PostgreSQL
 * rolls an interrupted run back; on SQLite and MariaDB a column that exists already is skipped,
 * so a run interrupted half-way can simply be run again.
 */
export function gatewaySessionOptionsMigration(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const present = dialect === "postgres" ? new Set<string>() : await gatewayColumns(db);
      if (!present.has("session_mode")) {
        await db.schema
          .alterTable("gateways")
          .addColumn("session_mode", "varchar(16)", (c) => c.notNull().defaultTo("auto"))
          .execute();
      }
      if (!present.has("timeout_seconds"))
        await db.schema.alterTable("gateways").addColumn("timeout_seconds", "integer").execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable("gateways").dropColumn("timeout_seconds").execute();
      await db.schema.alterTable("gateways").dropColumn("session_mode").execute();
    },
  };
}

/** The columns of `gateways` (SQLite and MySQL introspection look in the connection's own database). */
async function gatewayColumns(db: Kysely<unknown>): Promise<ReadonlySet<string>> {
  const tables = await db.introspection.getTables();
  const gateways = tables.find((table) => table.name === "gateways");
  return new Set(gateways?.columns.map((column) => column.name) ?? []);
}
