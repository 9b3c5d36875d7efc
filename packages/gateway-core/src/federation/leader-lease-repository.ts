import type { Kysely } from "kysely";
import type { DatabaseSchema } from "../db/database-schema.js";
import type { LeaderLease } from "./leader.js";

/**
 * A lease in a `leader_leases` row, for deployments without Redis (PostgreSQL, MariaDB; SQLite
 * works too). Acquiring is one conditional update (the row is expired or already ours), else an
 * insert when the row is missing; a concurrent taker loses on the row lock or the primary key.
 * The answer is read back, so it does not depend on an engine's affected-rows semantics.
 * Expiry is the instances' wall clock (ISO-8601 UTC, compared as text): the TTL must exceed the
 * clock skew between them.
 */
export function createDatabaseLeaderLease(db: Kysely<DatabaseSchema>, name: string): LeaderLease {
  return {
    async acquire(holder, ttlMs) {
      const now = new Date();
      const expiresAt = new Date(now.getTime() + ttlMs).toISOString();
      const updated = await db
        .updateTable("leader_leases")
        .set({ holder, expires_at: expiresAt })
        .where("name", "=", name)
        .where((eb) => eb.or([eb("holder", "=", holder), eb("expires_at", "<=", now.toISOString())]))
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) {
        try {
          await db.insertInto("leader_leases").values({ name, holder, expires_at: expiresAt }).execute();
        } catch (error) {
          // Another instance holds the row (or just inserted it): the read below says who.
          const row = await holderOf(db, name);
          if (row === undefined) throw error;
        }
      }
      const row = await holderOf(db, name);
      return row?.holder === holder && row.expires_at === expiresAt;
    },
    async release(holder) {
      await db.deleteFrom("leader_leases").where("name", "=", name).where("holder", "=", holder).execute();
    },
  };
}

function holderOf(
  db: Kysely<DatabaseSchema>,
  name: string,
): Promise<{ holder: string; expires_at: string } | undefined> {
  return db
    .selectFrom("leader_leases")
    .select(["holder", "expires_at"])
    .where("name", "=", name)
    .executeTakeFirst();
}
