import type { Kysely } from "kysely";
import type { DatabaseSchema } from "../db/database-schema.js";

/** The one row of `federation_identity` that holds this gateway's id. */
const SELF = "self";

/**
 * The federation id stored in the database; `candidate` is stored first when there is none. Two
 * replicas starting at once both try: the primary key lets one insert win, and both read it back.
 */
export async function readOrCreateFederationId(
  db: Kysely<DatabaseSchema>,
  candidate: string,
  now: string,
): Promise<string> {
  const read = async () =>
    (
      await db
        .selectFrom("federation_identity")
        .select("federation_id")
        .where("name", "=", SELF)
        .executeTakeFirst()
    )?.federation_id;
  const stored = await read();
  if (stored !== undefined) return stored;
  try {
    await db
      .insertInto("federation_identity")
      .values({ name: SELF, federation_id: candidate, created_at: now })
      .execute();
    return candidate;
  } catch (error) {
    // Another replica inserted first (a duplicate key); any other failure leaves no row.
    const winner = await read();
    if (winner === undefined) throw error;
    return winner;
  }
}
