import type { Kysely, Selectable, Transaction } from "kysely";
import type { DatabaseSchema, RolesTable } from "../../db/database-schema.js";
import { fromJson, nowIso, toBoolean } from "../../db/row-values.js";
import type { RoleScope } from "../permissions.js";
import type { RoleRead } from "./role-schema.js";

type Db = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;

/** A stored role, its own permissions parsed. */
export interface RoleRecord {
  readonly id: string;
  readonly name: string;
  readonly scope: RoleScope;
  readonly permissions: readonly string[];
  readonly inheritsFrom: string | null;
  readonly isSystemRole: boolean;
  readonly isActive: boolean;
  readonly row: Selectable<RolesTable>;
}

function toRecord(row: Selectable<RolesTable>): RoleRecord {
  return {
    id: row.id,
    name: row.name,
    scope: row.scope as RoleScope,
    permissions: fromJson<string[]>(row.permissions, []),
    inheritsFrom: row.inherits_from,
    isSystemRole: toBoolean(row.is_system_role),
    isActive: toBoolean(row.is_active),
    row,
  };
}

/**
 * A role's permissions with those of the roles it inherits from (cycles and missing parents
 * ignored), as the auth directory resolves them.
 */
export function effectivePermissions(role: RoleRecord, all: ReadonlyMap<string, RoleRecord>): string[] {
  const result = new Set<string>();
  const seen = new Set<string>();
  for (let current: RoleRecord | undefined = role; current && !seen.has(current.id); ) {
    seen.add(current.id);
    for (const permission of current.permissions) result.add(permission);
    current = current.inheritsFrom === null ? undefined : all.get(current.inheritsFrom);
  }
  return [...result];
}

/** A role as the API shows it. */
export function toRoleRead(role: RoleRecord, all: ReadonlyMap<string, RoleRecord>): RoleRead {
  return {
    id: role.id,
    name: role.name,
    description: role.row.description,
    scope: role.scope,
    permissions: role.permissions,
    effective_permissions: effectivePermissions(role, all),
    inherits_from: role.inheritsFrom,
    created_by: role.row.created_by,
    is_system_role: role.isSystemRole,
    is_active: role.isActive,
    created_at: role.row.created_at,
    updated_at: role.row.updated_at,
  };
}

/** Every role by id (a small table: read whole to resolve inheritance). */
export async function allRoles(db: Db): Promise<Map<string, RoleRecord>> {
  const rows = await db.selectFrom("roles").selectAll().orderBy("scope").orderBy("name").execute();
  return new Map(rows.map((row) => [row.id, toRecord(row)]));
}

/** The role with `id`, if any. */
export async function findRole(db: Db, id: string): Promise<RoleRecord | undefined> {
  const row = await db.selectFrom("roles").selectAll().where("id", "=", id).executeTakeFirst();
  return row && toRecord(row);
}

/** Whether a role called `name` exists in `scope` (other than `exceptId`). */
export async function roleNameTaken(
  db: Db,
  name: string,
  scope: string,
  exceptId?: string,
): Promise<boolean> {
  let query = db.selectFrom("roles").select("id").where("name", "=", name).where("scope", "=", scope);
  if (exceptId !== undefined) query = query.where("id", "!=", exceptId);
  return (await query.executeTakeFirst()) !== undefined;
}

/** Stores a new role. */
export async function insertRole(db: Db, row: RolesTable): Promise<void> {
  await db.insertInto("roles").values(row).execute();
}

/** Changes the given columns of a role. */
export async function updateRole(
  db: Db,
  id: string,
  changes: Partial<Pick<RolesTable, "name" | "description" | "permissions" | "inherits_from" | "is_active">>,
): Promise<void> {
  await db
    .updateTable("roles")
    .set({ ...changes, updated_at: nowIso() })
    .where("id", "=", id)
    .execute();
}

/** Whether another role inherits from `id`. */
export async function hasHeirs(db: Db, id: string): Promise<boolean> {
  const row = await db.selectFrom("roles").select("id").where("inherits_from", "=", id).executeTakeFirst();
  return row !== undefined;
}

/** Deletes a role and every grant of it, in one transaction. */
export async function deleteRole(db: Kysely<DatabaseSchema>, id: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom("user_roles").where("role_id", "=", id).execute();
    await trx.deleteFrom("roles").where("id", "=", id).execute();
  });
}
