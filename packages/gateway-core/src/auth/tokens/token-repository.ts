import type { Kysely, Selectable, Transaction } from "kysely";
import type { DatabaseSchema, EmailApiTokensTable, TokenRevocationsTable } from "../../db/database-schema.js";
import { fromJson, nowIso, toBoolean } from "../../db/row-values.js";
import type { TokenRead } from "./token-schema.js";

type Db = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;

/** A stored API token: what the API shows, plus what only the service may see. */
export interface TokenRecord {
  readonly read: TokenRead;
  readonly jti: string;
}

/** Which tokens a list returns. */
export interface TokenFilter {
  /** One user's tokens; undefined = everyone's. */
  readonly userEmail: string | undefined;
  /** Also revoked and expired tokens. */
  readonly includeInactive: boolean;
  readonly limit: number;
  readonly offset: number;
}

type Revocation = Pick<Selectable<TokenRevocationsTable>, "revoked_at" | "revoked_by" | "reason">;

function toRecord(row: Selectable<EmailApiTokensTable>, revocation: Revocation | undefined): TokenRecord {
  return {
    jti: row.jti,
    read: {
      id: row.id,
      name: row.name,
      description: row.description,
      user_email: row.user_email,
      team_id: row.team_id,
      server_id: row.server_id,
      resource_scopes: fromJson<string[]>(row.resource_scopes, []),
      ip_restrictions: fromJson<string[]>(row.ip_restrictions, []),
      public_only: toBoolean(row.public_only),
      time_restrictions: {},
      usage_limits: {},
      created_at: row.created_at,
      expires_at: row.expires_at,
      last_used: row.last_used,
      is_active: toBoolean(row.is_active),
      is_revoked: revocation !== undefined,
      revoked_at: revocation?.revoked_at ?? null,
      revoked_by: revocation?.revoked_by ?? null,
      revocation_reason: revocation?.reason ?? null,
      tags: fromJson<string[]>(row.tags, []),
    },
  };
}

async function withRevocations(db: Db, rows: Selectable<EmailApiTokensTable>[]): Promise<TokenRecord[]> {
  if (rows.length === 0) return [];
  const revocations = await db
    .selectFrom("token_revocations")
    .select(["jti", "revoked_at", "revoked_by", "reason"])
    .where(
      "jti",
      "in",
      rows.map((row) => row.jti),
    )
    .execute();
  const byJti = new Map(revocations.map((r) => [r.jti, r]));
  return rows.map((row) => toRecord(row, byJti.get(row.jti)));
}

/** Stores a new token row. */
export async function insertToken(db: Db, row: EmailApiTokensTable): Promise<void> {
  await db.insertInto("email_api_tokens").values(row).execute();
}

/** The token with `id`, if any. */
export async function findToken(db: Db, id: string): Promise<TokenRecord | undefined> {
  const row = await db.selectFrom("email_api_tokens").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) return undefined;
  const [record] = await withRevocations(db, [row]);
  return record;
}

/** Whether `email` already has a token called `name` (other than `exceptId`). */
export async function tokenNameTaken(
  db: Db,
  email: string,
  name: string,
  exceptId?: string,
): Promise<boolean> {
  let query = db
    .selectFrom("email_api_tokens")
    .select("id")
    .where("user_email", "=", email)
    .where("name", "=", name);
  if (exceptId !== undefined) query = query.where("id", "!=", exceptId);
  return (await query.executeTakeFirst()) !== undefined;
}

/** One page of tokens, newest first, and how many match in all. */
export async function listTokens(
  db: Db,
  filter: TokenFilter,
): Promise<{ records: TokenRecord[]; total: number }> {
  const now = nowIso();
  let base = db.selectFrom("email_api_tokens");
  if (filter.userEmail !== undefined) base = base.where("user_email", "=", filter.userEmail);
  if (!filter.includeInactive) {
    base = base
      .where("is_active", "=", true)
      .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", now)]));
  }
  const [rows, count] = await Promise.all([
    base
      .selectAll()
      .orderBy("created_at", "desc")
      .orderBy("id")
      .limit(filter.limit)
      .offset(filter.offset)
      .execute(),
    base.select((eb) => eb.fn.countAll<number | string | bigint>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { records: await withRevocations(db, rows), total: Number(count.n) };
}

/** Changes the given columns of a token. */
export async function updateToken(
  db: Db,
  id: string,
  changes: Partial<
    Pick<
      EmailApiTokensTable,
      "name" | "description" | "tags" | "public_only" | "server_id" | "resource_scopes" | "ip_restrictions"
    >
  >,
): Promise<void> {
  if (Object.keys(changes).length === 0) return;
  await db.updateTable("email_api_tokens").set(changes).where("id", "=", id).execute();
}

/**
 * Deactivates a token and records its jti as revoked (kept until the token would have expired
 * anyway), in one transaction; revoking a revoked token changes nothing.
 */
export async function revokeToken(
  db: Kysely<DatabaseSchema>,
  record: TokenRecord,
  revokedBy: string,
  reason: string | null,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable("email_api_tokens")
      .set({ is_active: false })
      .where("id", "=", record.read.id)
      .execute();
    const known = await trx
      .selectFrom("token_revocations")
      .select("jti")
      .where("jti", "=", record.jti)
      .executeTakeFirst();
    if (known) return;
    await trx
      .insertInto("token_revocations")
      .values({
        jti: record.jti,
        revoked_at: nowIso(),
        revoked_by: revokedBy,
        reason,
        expires_at: record.read.expires_at,
      })
      .execute();
  });
}
