import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";
import type { DialectName } from "../database-url.js";
import type { ColumnTypes } from "./column-types.js";

// Frozen: once released, never edit this file; add a new migration instead.

/** The columns a stdio gateway adds, all nullable: HTTP gateways leave them empty. */
function stdioColumns(types: ColumnTypes) {
  return [
    ["command", "varchar(1024)"],
    // JSON array of strings.
    ["args", types.longText],
    // SecretBox-sealed JSON object: values may hold API keys.
    ["env", types.longText],
    ["cwd", "varchar(1024)"],
  ] as const;
}

/**
 * Gateways can run a stdio MCP server directly: how to start it. One `alter table` per column.
 * PostgreSQL rolls an interrupted run back; on SQLite and MariaDB each column that exists already
 * is skipped, so a run interrupted half-way can simply be run again.
 */
export function stdioGatewaysMigration(types: ColumnTypes, dialect: DialectName): Migration {
  const existing = (db: Kysely<unknown>): Promise<ReadonlySet<string>> =>
    dialect === "postgres" ? Promise.resolve(new Set()) : gatewayColumns(db);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const present = await existing(db);
      for (const [name, type] of stdioColumns(types)) {
        if (!present.has(name)) await db.schema.alterTable("gateways").addColumn(name, type).execute();
      }
    },
    async down(db: Kysely<unknown>): Promise<void> {
      for (const [name] of stdioColumns(types).toReversed()) {
        await db.schema.alterTable("gateways").dropColumn(name).execute();
      }
    },
  };
}

/**
 * The columns of `gateways` (SQLite and MySQL introspection look in the connection's own
 * database; PostgreSQL's would list every schema, hence not used there).
 */
async function gatewayColumns(db: Kysely<unknown>): Promise<ReadonlySet<string>> {
  const tables = await db.introspection.getTables();
  const gateways = tables.find((table) => table.name === "gateways");
  return new Set(gateways?.columns.map((column) => column.name) ?? []);
}
