import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import { setTeamRole } from "../../src/auth/rbac/grant-repository.js";
import type { DatabaseSchema } from "../../src/db/database-schema.js";

// Users, teams and memberships written straight into the auth tables, for tests that exercise
// authentication and authorization rather than the user and team APIs (those have their own).

const now = () => new Date().toISOString();

/** A stored, active user (its password hash is not a real one: it cannot log in). */
export async function seedUser(
  db: Kysely<DatabaseSchema>,
  email: string,
  options: { isAdmin?: boolean } = {},
): Promise<void> {
  await db
    .insertInto("email_users")
    .values({
      email,
      password_hash: "$argon2id$v=19$m=8192,t=1,p=1$not-a-real-hash",
      full_name: email.split("@")[0] ?? email,
      is_admin: options.isAdmin ?? false,
      is_active: true,
      auth_provider: "local",
      password_change_required: false,
      failed_login_attempts: 0,
      locked_until: null,
      last_login: null,
      password_changed_at: null,
      created_at: now(),
      updated_at: now(),
    })
    .execute();
}

/** A team owned by `owner` (membership and team_admin grant); returns its id. */
export async function seedTeam(db: Kysely<DatabaseSchema>, name: string, owner: string): Promise<string> {
  const id = randomUUID().replaceAll("-", "");
  await db
    .insertInto("email_teams")
    .values({
      id,
      name,
      slug: `${name}-${id.slice(0, 6)}`,
      description: null,
      created_by: owner,
      is_personal: false,
      visibility: "private",
      max_members: null,
      is_active: true,
      created_at: now(),
      updated_at: now(),
    })
    .execute();
  await addMember(db, id, owner, "owner");
  return id;
}

/** Adds `email` to the team: owner (team_admin), member (developer) or viewer (member, viewer role). */
export async function addMember(
  db: Kysely<DatabaseSchema>,
  teamId: string,
  email: string,
  role: "owner" | "member" | "viewer",
): Promise<void> {
  await db
    .insertInto("email_team_members")
    .values({
      id: randomUUID(),
      team_id: teamId,
      user_email: email,
      role: role === "owner" ? "owner" : "member",
      joined_at: now(),
      invited_by: null,
      is_active: true,
    })
    .execute();
  const roleName = role === "owner" ? "team_admin" : role === "member" ? "developer" : "viewer";
  await setTeamRole(db, email, teamId, roleName, "test");
}
