import { type Kysely, sql, type Transaction } from "kysely";
import { decodeCursor, encodeCursor } from "../../db/cursor.js";
import type { DatabaseSchema, EmailUsersTable } from "../../db/database-schema.js";

/** A database handle or a transaction on it. */
export type Db = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;

/** One page of users in creation order. */
export interface UserRowPage {
  readonly rows: EmailUsersTable[];
  readonly nextCursor: string | null;
}

/** The user stored under `email` (already normalised), or undefined. */
export async function findUser(db: Db, email: string): Promise<EmailUsersTable | undefined> {
  return db.selectFrom("email_users").selectAll().where("email", "=", email).executeTakeFirst();
}

/** Inserts a full row. */
export async function insertUser(db: Db, row: EmailUsersTable): Promise<void> {
  await db.insertInto("email_users").values(row).execute();
}

/** Applies `patch` to the user; false when there is no such user. */
export async function updateUser(db: Db, email: string, patch: Partial<EmailUsersTable>): Promise<boolean> {
  const result = await db.updateTable("email_users").set(patch).where("email", "=", email).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Counts one more failed login in one statement (concurrent failures all count); the new count. */
export async function countFailedLogin(db: Db, email: string, now: string): Promise<number> {
  await db
    .updateTable("email_users")
    .set({ failed_login_attempts: sql`failed_login_attempts + 1`, updated_at: now })
    .where("email", "=", email)
    .execute();
  const row = await db
    .selectFrom("email_users")
    .select("failed_login_attempts")
    .where("email", "=", email)
    .executeTakeFirst();
  return Number(row?.failed_login_attempts ?? 0);
}

/** Users in creation order (then email), `limit` per page, after `cursor`. */
export async function listUsers(
  db: Db,
  query: { readonly limit: number; readonly cursor: string | undefined },
): Promise<UserRowPage> {
  let q = db.selectFrom("email_users").selectAll();
  if (query.cursor !== undefined) {
    const after = decodeCursor(query.cursor);
    q = q.where((eb) =>
      eb.or([
        eb("created_at", ">", after.createdAt),
        eb.and([eb("created_at", "=", after.createdAt), eb("email", ">", after.id)]),
      ]),
    );
  }
  const rows = await q
    .orderBy("created_at")
    .orderBy("email")
    .limit(query.limit + 1)
    .execute();
  const more = rows.length > query.limit;
  const page = more ? rows.slice(0, query.limit) : rows;
  const last = page.at(-1);
  return {
    rows: page,
    nextCursor: more && last ? encodeCursor({ createdAt: last.created_at, id: last.email }) : null,
  };
}

/** How many active administrators there are. */
export async function countActiveAdmins(db: Db): Promise<number> {
  const row = await db
    .selectFrom("email_users")
    .select((eb) => eb.fn.countAll<number | string>().as("n"))
    .where("is_admin", "=", true)
    .where("is_active", "=", true)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Deletes the user row; false when there was none. */
export async function deleteUser(db: Db, email: string): Promise<boolean> {
  const result = await db.deleteFrom("email_users").where("email", "=", email).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
