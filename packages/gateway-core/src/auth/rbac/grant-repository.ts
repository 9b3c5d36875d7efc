import type { Kysely, Transaction } from "kysely";
import type { DatabaseSchema } from "../../db/database-schema.js";
import { newId, nowIso } from "../../db/row-values.js";
import { SYSTEM_ROLES } from "../permissions.js";

type Db = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;

/** Creates the system roles that are missing and refreshes the permissions of those that exist. */
export async function ensureSystemRoles(db: Kysely<DatabaseSchema>): Promise<void> {
  const now = nowIso();
  for (const role of SYSTEM_ROLES) {
    const existing = await db
      .selectFrom("roles")
      .select("id")
      .where("name", "=", role.name)
      .where("scope", "=", role.scope)
      .executeTakeFirst();
    const permissions = JSON.stringify(role.permissions);
    if (existing) {
      await db
        .updateTable("roles")
        .set({ permissions, description: role.description, is_system_role: true, is_active: true })
        .where("id", "=", existing.id)
        .execute();
      continue;
    }
    const inserted = db
      .insertInto("roles")
      .values({
        id: newId(),
        name: role.name,
        description: role.description,
        scope: role.scope,
        permissions,
        inherits_from: null,
        created_by: "system",
        is_system_role: true,
        is_active: true,
        created_at: now,
        updated_at: now,
      })
      .execute();
    try {
      await inserted;
    } catch (error) {
      // Replicas starting together on a fresh database: another one inserted it meanwhile (with
      // the same definition). Anything else is a real failure.
      const now = await db
        .selectFrom("roles")
        .select("id")
        .where("name", "=", role.name)
        .where("scope", "=", role.scope)
        .executeTakeFirst();
      if (!now) throw error;
    }
  }
}

/** The id of a role by name and scope; throws when it does not exist. */
export async function roleIdOf(db: Db, name: string, scope: "global" | "team" | "personal"): Promise<string> {
  const row = await db
    .selectFrom("roles")
    .select("id")
    .where("name", "=", name)
    .where("scope", "=", scope)
    .executeTakeFirst();
  if (!row) throw new Error(`role ${name} (${scope}) does not exist: were the system roles created?`);
  return row.id;
}

/**
 * Grants `roleName` (a team-scope role) to `email` in `teamId`, replacing the roles the user held
 * there through membership: one team role per member.
 */
export async function setTeamRole(
  db: Db,
  email: string,
  teamId: string,
  roleName: string,
  grantedBy: string,
): Promise<void> {
  const roleId = await roleIdOf(db, roleName, "team");
  await revokeTeamRoles(db, email, teamId);
  await db
    .insertInto("user_roles")
    .values({
      id: newId(),
      user_email: email,
      role_id: roleId,
      scope: "team",
      scope_id: teamId,
      granted_by: grantedBy,
      granted_at: nowIso(),
      expires_at: null,
      is_active: true,
    })
    .execute();
}

/** Removes every role `email` holds in `teamId` (the member left or was removed). */
export async function revokeTeamRoles(db: Db, email: string, teamId: string): Promise<void> {
  await db
    .deleteFrom("user_roles")
    .where("user_email", "=", email)
    .where("scope", "in", ["team", "personal"])
    .where("scope_id", "=", teamId)
    .execute();
}
