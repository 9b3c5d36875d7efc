import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";
import type { ColumnTypes } from "./column-types.js";

// Frozen: once released, never edit this file; add a new migration instead.
// Table and column names follow ContextForge's (email_users, email_teams, ...), so an operator
// who knows its database finds their way here. Same portability rules as the registry tables.

async function up(db: Kysely<unknown>, types: ColumnTypes): Promise<void> {
  await db.schema
    .createTable("email_users")
    .ifNotExists()
    .addColumn("email", "varchar(255)", (c) => c.primaryKey())
    .addColumn("password_hash", "varchar(255)", (c) => c.notNull())
    .addColumn("full_name", "varchar(255)")
    .addColumn("is_admin", "boolean", (c) => c.notNull())
    .addColumn("is_active", "boolean", (c) => c.notNull())
    .addColumn("auth_provider", "varchar(32)", (c) => c.notNull())
    .addColumn("password_change_required", "boolean", (c) => c.notNull())
    .addColumn("failed_login_attempts", "integer", (c) => c.notNull())
    .addColumn("locked_until", "varchar(32)")
    .addColumn("last_login", "varchar(32)")
    .addColumn("password_changed_at", "varchar(32)")
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .addColumn("updated_at", "varchar(32)", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("email_teams")
    .ifNotExists()
    .addColumn("id", "varchar(36)", (c) => c.primaryKey())
    .addColumn("name", "varchar(255)", (c) => c.notNull())
    .addColumn("slug", "varchar(255)", (c) => c.notNull().unique())
    .addColumn("description", types.longText)
    .addColumn("created_by", "varchar(255)", (c) => c.notNull())
    .addColumn("is_personal", "boolean", (c) => c.notNull())
    .addColumn("visibility", "varchar(16)", (c) => c.notNull())
    .addColumn("max_members", "integer")
    .addColumn("is_active", "boolean", (c) => c.notNull())
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .addColumn("updated_at", "varchar(32)", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("email_team_members")
    .ifNotExists()
    .addColumn("id", "varchar(36)", (c) => c.primaryKey())
    .addColumn("team_id", "varchar(36)", (c) => c.notNull())
    .addColumn("user_email", "varchar(255)", (c) => c.notNull())
    .addColumn("role", "varchar(16)", (c) => c.notNull())
    .addColumn("joined_at", "varchar(32)", (c) => c.notNull())
    .addColumn("invited_by", "varchar(255)")
    .addColumn("is_active", "boolean", (c) => c.notNull())
    .addUniqueConstraint("email_team_members_team_user", ["team_id", "user_email"])
    .execute();
  await db.schema
    .createIndex("email_team_members_user")
    .ifNotExists()
    .on("email_team_members")
    .column("user_email")
    .execute();

  await db.schema
    .createTable("email_team_invitations")
    .ifNotExists()
    .addColumn("id", "varchar(36)", (c) => c.primaryKey())
    .addColumn("team_id", "varchar(36)", (c) => c.notNull())
    .addColumn("email", "varchar(255)", (c) => c.notNull())
    .addColumn("role", "varchar(16)", (c) => c.notNull())
    .addColumn("invited_by", "varchar(255)", (c) => c.notNull())
    .addColumn("invited_at", "varchar(32)", (c) => c.notNull())
    .addColumn("expires_at", "varchar(32)", (c) => c.notNull())
    // SHA-256 of the invitation token: the token itself is shown once, to the inviter.
    .addColumn("token_hash", "varchar(64)", (c) => c.notNull().unique())
    .addColumn("is_active", "boolean", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("roles")
    .ifNotExists()
    .addColumn("id", "varchar(36)", (c) => c.primaryKey())
    .addColumn("name", "varchar(255)", (c) => c.notNull())
    .addColumn("description", types.longText)
    // global | team | personal
    .addColumn("scope", "varchar(16)", (c) => c.notNull())
    // JSON array of permission strings.
    .addColumn("permissions", types.longText, (c) => c.notNull())
    .addColumn("inherits_from", "varchar(36)")
    .addColumn("created_by", "varchar(255)", (c) => c.notNull())
    .addColumn("is_system_role", "boolean", (c) => c.notNull())
    .addColumn("is_active", "boolean", (c) => c.notNull())
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .addColumn("updated_at", "varchar(32)", (c) => c.notNull())
    .addUniqueConstraint("roles_name_scope", ["name", "scope"])
    .execute();

  await db.schema
    .createTable("user_roles")
    .ifNotExists()
    .addColumn("id", "varchar(36)", (c) => c.primaryKey())
    .addColumn("user_email", "varchar(255)", (c) => c.notNull())
    .addColumn("role_id", "varchar(36)", (c) => c.notNull())
    .addColumn("scope", "varchar(16)", (c) => c.notNull())
    // The team id for team (and personal) scope; null for global.
    .addColumn("scope_id", "varchar(36)")
    .addColumn("granted_by", "varchar(255)", (c) => c.notNull())
    .addColumn("granted_at", "varchar(32)", (c) => c.notNull())
    .addColumn("expires_at", "varchar(32)")
    .addColumn("is_active", "boolean", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("user_roles_user")
    .ifNotExists()
    .on("user_roles")
    .column("user_email")
    .execute();

  await db.schema
    .createTable("email_api_tokens")
    .ifNotExists()
    .addColumn("id", "varchar(36)", (c) => c.primaryKey())
    .addColumn("user_email", "varchar(255)", (c) => c.notNull())
    .addColumn("team_id", "varchar(36)")
    .addColumn("name", "varchar(255)", (c) => c.notNull())
    .addColumn("description", types.longText)
    .addColumn("jti", "varchar(36)", (c) => c.notNull().unique())
    // SHA-256 of the token as shown once at creation.
    .addColumn("token_hash", "varchar(64)", (c) => c.notNull())
    .addColumn("server_id", "varchar(36)")
    // JSON array of permission strings; empty = the owner's permissions.
    .addColumn("resource_scopes", types.longText, (c) => c.notNull())
    // JSON array of CIDRs; empty = any address.
    .addColumn("ip_restrictions", types.longText, (c) => c.notNull())
    .addColumn("public_only", "boolean", (c) => c.notNull())
    .addColumn("tags", types.longText, (c) => c.notNull())
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .addColumn("expires_at", "varchar(32)")
    .addColumn("last_used", "varchar(32)")
    .addColumn("is_active", "boolean", (c) => c.notNull())
    .addUniqueConstraint("email_api_tokens_user_name", ["user_email", "name"])
    .execute();

  await db.schema
    .createTable("token_revocations")
    .ifNotExists()
    .addColumn("jti", "varchar(36)", (c) => c.primaryKey())
    .addColumn("revoked_at", "varchar(32)", (c) => c.notNull())
    .addColumn("revoked_by", "varchar(255)", (c) => c.notNull())
    .addColumn("reason", "varchar(255)")
    // When the revoked token would have expired anyway: the row may be purged after it.
    .addColumn("expires_at", "varchar(32)")
    .execute();
}

const TABLES = [
  "token_revocations",
  "email_api_tokens",
  "user_roles",
  "roles",
  "email_team_invitations",
  "email_team_members",
  "email_teams",
  "email_users",
] as const;

/** Users, teams, invitations, roles and their grants, API tokens and revoked token ids. */
export function authMigration(types: ColumnTypes): Migration {
  return {
    up: (db) => up(db, types),
    async down(db: Kysely<unknown>): Promise<void> {
      for (const table of TABLES) await db.schema.dropTable(table).ifExists().execute();
    },
  };
}
