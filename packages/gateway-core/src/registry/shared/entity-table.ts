import { type Kysely, sql, type Transaction } from "kysely";
import { decodeCursor, encodeCursor } from "../../db/cursor.js";
import type { DatabaseSchema } from "../../db/database-schema.js";
import { GatewayError } from "../../errors/gateway-error.js";
import type { ListQuery } from "./list-query.js";

/** The registry tables that share the common columns (id, tags, enabled, created_at, version...). */
export type EntityTableName = "tools" | "resources" | "prompts" | "servers" | "gateways";

/** A database handle or a transaction on it. */
export type Db = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;

/** One page of rows. */
export interface RowPage<Row> {
  readonly rows: Row[];
  readonly nextCursor: string | null;
}

// kysely cannot type a query over a table chosen at run time; these helpers are typed at
// their edges (the Row type of the table) and loosely inside.
// biome-ignore lint/suspicious/noExplicitAny: see above
type LooseDb = Kysely<any>;

/**
 * Lists rows of `table` in creation order with keyset pagination: enabled only unless
 * `includeInactive`; rows carrying any of `tags`; rows of one gateway (or none, `null`).
 */
export async function listRows<Row>(
  db: Db,
  table: EntityTableName,
  query: Pick<ListQuery, "includeInactive" | "tags" | "limit" | "cursor" | "gatewayId"> &
    Partial<Pick<ListQuery, "teamId" | "visibility" | "access">>,
  extraWhere?: { column: string; value: string },
): Promise<RowPage<Row>> {
  let q = (db as LooseDb).selectFrom(table).selectAll();
  if (!query.includeInactive) q = q.where("enabled", "=", true);
  if (query.gatewayId !== undefined && table !== "servers" && table !== "gateways") {
    q =
      query.gatewayId === null
        ? q.where("gateway_id", "is", null)
        : q.where("gateway_id", "=", query.gatewayId);
  }
  if (extraWhere) q = q.where(extraWhere.column, "=", extraWhere.value);
  if (query.teamId !== undefined) q = q.where("team_id", "=", query.teamId);
  if (query.visibility !== undefined) q = q.where("visibility", "=", query.visibility);
  const access = query.access;
  if (access !== undefined && access.kind !== "all") {
    // canSee() of auth/access.ts, as SQL: keep the two in step.
    q =
      access.kind === "public"
        ? q.where("visibility", "=", "public")
        : q.where((eb) =>
            eb.or([
              eb("visibility", "=", "public"),
              ...(access.teamIds.length > 0
                ? [eb.and([eb("visibility", "=", "team"), eb("team_id", "in", access.teamIds)])]
                : []),
              eb.and([eb("visibility", "=", "private"), eb("owner_email", "=", access.ownerEmail)]),
            ]),
          );
  }
  if (query.tags.length > 0) {
    // Tags are stored as a JSON array of normalised strings that cannot contain quotes.
    q = q.where((eb) => eb.or(query.tags.map((tag) => eb("tags", "like", `%${JSON.stringify(tag)}%`))));
  }
  if (query.cursor !== undefined) {
    const after = decodeCursor(query.cursor);
    q = q.where((eb) =>
      eb.or([
        eb("created_at", ">", after.createdAt),
        eb.and([eb("created_at", "=", after.createdAt), eb("id", ">", after.id)]),
      ]),
    );
  }
  const rows = (await q
    .orderBy("created_at")
    .orderBy("id")
    .limit(query.limit + 1)
    .execute()) as (Row & { id: string; created_at: string })[];
  const more = rows.length > query.limit;
  const page = more ? rows.slice(0, query.limit) : rows;
  const last = page.at(-1);
  return {
    rows: page,
    nextCursor: more && last ? encodeCursor({ createdAt: last.created_at, id: last.id }) : null,
  };
}

/** The row with `id`, or undefined. */
export async function findRow<Row>(db: Db, table: EntityTableName, id: string): Promise<Row | undefined> {
  return (await (db as LooseDb).selectFrom(table).selectAll().where("id", "=", id).executeTakeFirst()) as
    | Row
    | undefined;
}

/** The row with `id`, or a 404 naming the entity. */
export async function getRow<Row>(db: Db, table: EntityTableName, id: string, label: string): Promise<Row> {
  const row = await findRow<Row>(db, table, id);
  if (!row) throw new GatewayError("not_found", `${label} not found: ${id}`);
  return row;
}

/** Inserts a full row. */
export async function insertRow<Row extends object>(db: Db, table: EntityTableName, row: Row): Promise<void> {
  await (db as LooseDb).insertInto(table).values(row).execute();
}

/**
 * Updates `id` only if it is still at `expectedVersion` (optimistic locking): two concurrent
 * updates cannot silently overwrite each other; the loser gets a 409.
 */
export async function updateRow(
  db: Db,
  table: EntityTableName,
  id: string,
  expectedVersion: number,
  patch: Record<string, unknown>,
): Promise<void> {
  const result = await (db as LooseDb)
    .updateTable(table)
    .set(patch)
    .where("id", "=", id)
    .where("version", "=", expectedVersion)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) {
    throw new GatewayError("conflict", `${table.slice(0, -1)} ${id} was changed concurrently; retry`);
  }
}

/** Deletes `id`; false when it did not exist. */
export async function deleteRow(db: Db, table: EntityTableName, id: string): Promise<boolean> {
  const result = await (db as LooseDb).deleteFrom(table).where("id", "=", id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** True when a row other than `exceptId` has `column = value`. */
export async function valueTaken(
  db: Db,
  table: EntityTableName,
  column: string,
  value: string,
  exceptId?: string,
): Promise<{ id: string; enabled: boolean } | undefined> {
  let q = (db as LooseDb).selectFrom(table).select(["id", "enabled"]).where(column, "=", value);
  if (exceptId !== undefined) q = q.where("id", "<>", exceptId);
  const row = (await q.executeTakeFirst()) as { id: string; enabled: boolean | number } | undefined;
  return row ? { id: row.id, enabled: row.enabled === true || row.enabled === 1 } : undefined;
}

/** Counts rows, for tests and metrics. */
export async function countRows(db: Db, table: EntityTableName): Promise<number> {
  const result = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(db);
  return Number(result.rows[0]?.n ?? 0);
}
