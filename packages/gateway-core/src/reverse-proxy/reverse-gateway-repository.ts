import type { Kysely } from "kysely";
import type { DatabaseSchema } from "../db/database-schema.js";
import { toBoolean } from "../db/row-values.js";

/** What the reverse proxy routes show of, and check on, a reverse proxy's gateway. */
export interface ReverseGatewayRow {
  readonly id: string;
  readonly name: string;
  readonly slug: string;
  readonly enabled: boolean;
  readonly reachable: boolean;
  readonly visibility: string;
  readonly teamId: string | null;
  readonly ownerEmail: string | null;
}

/** The `REVERSE` gateways among `ids`, by id (a deleted one is missing). */
export async function readReverseGateways(
  db: Kysely<DatabaseSchema>,
  ids: readonly string[],
): Promise<Map<string, ReverseGatewayRow>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom("gateways")
    .select(["id", "name", "slug", "enabled", "reachable", "visibility", "team_id", "owner_email"])
    .where("id", "in", [...new Set(ids)])
    .where("transport", "=", "REVERSE")
    .execute();
  return new Map(
    rows.map((row) => [
      row.id,
      {
        id: row.id,
        name: row.name,
        slug: row.slug,
        enabled: toBoolean(row.enabled),
        reachable: toBoolean(row.reachable),
        visibility: row.visibility,
        teamId: row.team_id,
        ownerEmail: row.owner_email,
      },
    ]),
  );
}
