import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

// Frozen: once released, never edit this file; add a new migration instead.

/** Gateways can expose their tools and prompts under the upstream's own names everywhere. */
export const gatewayOriginalNamesMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable("gateways")
      .addColumn("expose_original_names", "boolean", (c) => c.notNull().defaultTo(false))
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable("gateways").dropColumn("expose_original_names").execute();
  },
};
