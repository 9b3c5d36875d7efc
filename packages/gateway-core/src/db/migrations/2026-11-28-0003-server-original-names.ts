import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

// Frozen: once released, never edit this file; add a new migration instead.

/** Virtual servers can expose their items under the upstream's own names (no gateway prefix). */
export const serverOriginalNamesMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable("servers")
      .addColumn("expose_original_names", "boolean", (c) => c.notNull().defaultTo(false))
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable("servers").dropColumn("expose_original_names").execute();
  },
};
