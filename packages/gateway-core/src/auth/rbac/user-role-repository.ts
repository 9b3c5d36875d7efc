import type { Kysely, Selectable, Transaction } from "kysely";
import type { DatabaseSchema, UserRolesTable } from "../../db/database-schema.js";
import { nowIso, toBoolean } from "../../db/row-values.js";
import type { RoleScope } from "../permissions.js";
import type { UserRoleRead } from "./role-schema.js";

type Db = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;

/** Which grants a query returns. */
export interface GrantFilter {
  readonly roleId?: string | undefined;
  readonly scope?: RoleScope | undefined;
  readonly scopeId?: string | undefined;
  /** Only active, unexpired grants. */
  readonly activeOnly: boolean;
}

/** A user's grants with their role names, oldest first. */
export async function userGrants(db: Db, email: string, filter: GrantFilter): Promise<UserRoleRead[]> {
  let query = db
    .selectFrom("user_roles")
    .leftJoin("roles", "roles.id", "user_roles.role_id")
    .selectAll("user_roles")
    .select("roles.name as role_name")
    .where("user_roles.user_email", "=", email);
  if (filter.roleId !== undefined) query = query.where("user_roles.role_id", "=", filter.roleId);
  if (filter.scope !== undefined) query = query.where("user_roles.scope", "=", filter.scope);
  if (filter.scopeId !== undefined) query = query.where("user_roles.scope_id", "=", filter.scopeId);
  if (filter.activeOnly) {
    const now = nowIso();
    query = query
      .where("user_roles.is_active", "=", true)
      .where((eb) => eb.or([eb("user_roles.expires_at", "is", null), eb("user_roles.expires_at", ">", now)]));
  }
  const rows = await query.orderBy("user_roles.granted_at").orderBy("user_roles.id").execute();
  return rows.map((row) => toUserRoleRead(row, row.role_name));
}

/** A grant as the API shows it. */
export function toUserRoleRead(row: Selectable<UserRolesTable>, roleName: string | null): UserRoleRead {
  return {
    id: row.id,
    user_email: row.user_email,
    role_id: row.role_id,
    role_name: roleName,
    scope: row.scope,
    scope_id: row.scope_id,
    granted_by: row.granted_by,
    granted_at: row.granted_at,
    expires_at: row.expires_at,
    is_active: toBoolean(row.is_active),
  };
}

/** Stores a new grant. */
export async function insertGrant(db: Db, row: UserRolesTable): Promise<void> {
  await db.insertInto("user_roles").values(row).execute();
}

/** Deletes grants by id. */
export async function deleteGrants(db: Db, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.deleteFrom("user_roles").where("id", "in", ids).execute();
}
