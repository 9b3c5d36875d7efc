import { type Kysely, sql } from "kysely";
import { type Migration, type MigrationResult, Migrator } from "kysely/migration";
import { GatewayError } from "../../errors/gateway-error.js";
import type { DialectName } from "../database-url.js";
import { migrationsFor } from "./migration-list.js";

/** What a migration run did. */
export interface MigrationReport {
  /** Names applied by this run, in order (empty when the schema was already at head). */
  readonly applied: readonly string[];
  /** Every migration the code knows, in order. */
  readonly known: readonly string[];
}

/**
 * Applies every pending migration, in name order, under the engine's lock (PostgreSQL advisory
 * lock, MySQL GET_LOCK, SQLite write transaction), so several instances may start at once: the
 * first migrates, the others wait and then find nothing to do.
 */
export async function migrateToLatest<DB>(
  database: Kysely<DB>,
  dialect: DialectName,
): Promise<MigrationReport> {
  // Migrations describe the schema's history, not today's types: they run untyped.
  const db = database as unknown as Kysely<unknown>;
  // kysely looks for its tables in every schema it can see unless told which one: on
  // PostgreSQL, pin it to the connection's current schema (the first on search_path).
  const schema =
    dialect === "postgres"
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
      : undefined;
  const migrations = migrationsFor(dialect);
  const migrator = new Migrator({
    db,
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
    provider: { getMigrations: async (): Promise<Record<string, Migration>> => migrations },
    migrationTableName: "schema_migrations",
    migrationLockTableName: "schema_migrations_lock",
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error) {
    const failed = results.find((r: MigrationResult) => r.status === "Error");
    throw new GatewayError(
      "internal",
      `database migration ${failed?.migrationName ?? ""} failed: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  return {
    applied: results.filter((r) => r.status === "Success").map((r) => r.migrationName),
    known: Object.keys(migrations).sort(),
  };
}
