import type { Kysely } from "kysely";
import type { DatabaseSchema } from "../../db/database-schema.js";
import { toBoolean } from "../../db/row-values.js";

// Health is state, not configuration: these writes bump no version and record no history.

/** What the health checks need to know of an enabled gateway. */
export interface GatewayHealthRow {
  readonly id: string;
  readonly slug: string;
  readonly transport: string;
  readonly reachable: boolean;
  readonly consecutiveFailures: number;
  readonly refreshIntervalSeconds: number | null;
  readonly lastRefreshAt: string | null;
}

/** The outcome of one health check, as stored. */
export type GatewayHealthUpdate =
  | { readonly answered: true; readonly at: string }
  | {
      readonly answered: false;
      /** Why it failed; a message that names the upstream, never its credentials. */
      readonly error: string;
      /** Whether the gateway is still considered reachable after this failure. */
      readonly reachable: boolean;
      readonly consecutiveFailures: number;
    };

/** The health of every enabled gateway. */
export async function listGatewayHealth(db: Kysely<DatabaseSchema>): Promise<GatewayHealthRow[]> {
  const rows = await db
    .selectFrom("gateways")
    .select([
      "id",
      "slug",
      "transport",
      "reachable",
      "consecutive_failures",
      "refresh_interval_seconds",
      "last_refresh_at",
    ])
    .where("enabled", "=", true)
    .orderBy("id")
    .execute();
  return rows.map((row) => ({
    id: row.id,
    slug: row.slug,
    transport: row.transport,
    reachable: toBoolean(row.reachable),
    consecutiveFailures: row.consecutive_failures,
    refreshIntervalSeconds: row.refresh_interval_seconds,
    lastRefreshAt: row.last_refresh_at ?? null,
  }));
}

/**
 * Stores a health check's outcome. The gateway's tools take its `reachable` too (the column the
 * tools API shows), in the same transaction.
 */
export async function writeGatewayHealth(
  db: Kysely<DatabaseSchema>,
  id: string,
  update: GatewayHealthUpdate,
): Promise<void> {
  const columns = update.answered
    ? { reachable: true, last_seen: update.at, last_error: null, consecutive_failures: 0 }
    : {
        reachable: update.reachable,
        last_error: update.error,
        consecutive_failures: update.consecutiveFailures,
      };
  await db.transaction().execute(async (tx) => {
    await tx.updateTable("gateways").set(columns).where("id", "=", id).execute();
    await tx
      .updateTable("tools")
      .set({ reachable: columns.reachable })
      .where("gateway_id", "=", id)
      .where("reachable", "=", !columns.reachable)
      .execute();
  });
}
