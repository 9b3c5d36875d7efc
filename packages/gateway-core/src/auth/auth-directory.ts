import type { Kysely } from "kysely";
import type { DatabaseSchema, DbBoolean } from "../db/database-schema.js";

/** A stored user as authorization sees it. */
export interface DirectoryUser {
  readonly email: string;
  readonly isAdmin: boolean;
  readonly passwordChangeRequired: boolean;
}

/** A role granted to a user, its permissions resolved (inheritance included). */
export interface DirectoryGrant {
  readonly scope: "global" | "team" | "personal";
  /** The team for team and personal grants. */
  readonly teamId: string | undefined;
  readonly permissions: readonly string[];
  /** ISO-8601; undefined = never. */
  readonly expiresAt: string | undefined;
}

/** An active API token as authentication sees it. */
export interface DirectoryApiToken {
  readonly id: string;
  readonly jti: string;
  readonly userEmail: string;
  readonly teamId: string | undefined;
  readonly serverId: string | undefined;
  readonly permissions: readonly string[];
  readonly ipRestrictions: readonly string[];
  readonly publicOnly: boolean;
  readonly expiresAt: string | undefined;
}

/** An immutable in-memory view of users, memberships, grants, tokens and revocations. */
export interface AuthSnapshot {
  readonly generation: number;
  readonly users: ReadonlyMap<string, DirectoryUser>;
  /** Stored users that are deactivated: refused, never treated as bare JWT subjects. */
  readonly inactiveUsers: ReadonlySet<string>;
  /** email -> the active teams the user is an active member of. */
  readonly memberships: ReadonlyMap<string, readonly string[]>;
  /** email -> the user's personal team. */
  readonly personalTeams: ReadonlyMap<string, string>;
  /** email -> the user's active grants. */
  readonly grants: ReadonlyMap<string, readonly DirectoryGrant[]>;
  /** jti -> active API token. */
  readonly apiTokens: ReadonlyMap<string, DirectoryApiToken>;
  /** Revoked token ids (logout, deleted API tokens). */
  readonly revoked: ReadonlySet<string>;
}

/**
 * Keeps the auth snapshot current: rebuilt (once, for all waiting readers) after a change.
 * Authentication and authorization read only the snapshot, so a request in the steady state
 * runs no query for auth.
 */
export interface AuthDirectory {
  current(): Promise<AuthSnapshot>;
  /** Marks the snapshot stale (after a committed change to users, teams, roles or tokens). */
  invalidate(): void;
}

const on = (value: DbBoolean): boolean => value === true || value === 1;

function jsonStrings(text: string | null): string[] {
  if (!text) return [];
  const value = JSON.parse(text) as unknown;
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** A role's permissions with those of the roles it inherits from (cycles ignored). */
function resolvePermissions(
  roleId: string,
  roles: ReadonlyMap<string, { permissions: string[]; inheritsFrom: string | null }>,
): string[] {
  const seen = new Set<string>();
  const result = new Set<string>();
  for (let id: string | null = roleId; id !== null && !seen.has(id); ) {
    seen.add(id);
    const role = roles.get(id);
    if (!role) break;
    for (const permission of role.permissions) result.add(permission);
    id = role.inheritsFrom;
  }
  return [...result];
}

async function buildSnapshot(db: Kysely<DatabaseSchema>, generation: number): Promise<AuthSnapshot> {
  const [users, teams, members, roles, userRoles, tokens, revocations] = await Promise.all([
    db
      .selectFrom("email_users")
      .select(["email", "is_admin", "is_active", "password_change_required"])
      .execute(),
    db.selectFrom("email_teams").select(["id", "is_personal", "is_active", "created_by"]).execute(),
    db.selectFrom("email_team_members").select(["team_id", "user_email", "is_active"]).execute(),
    db.selectFrom("roles").select(["id", "permissions", "inherits_from", "is_active"]).execute(),
    db
      .selectFrom("user_roles")
      .select(["user_email", "role_id", "scope", "scope_id", "expires_at", "is_active"])
      .execute(),
    db.selectFrom("email_api_tokens").selectAll().where("is_active", "=", true).execute(),
    db.selectFrom("token_revocations").select("jti").execute(),
  ]);

  const userMap = new Map<string, DirectoryUser>();
  const inactiveUsers = new Set<string>();
  for (const u of users) {
    if (!on(u.is_active)) {
      inactiveUsers.add(u.email);
      continue;
    }
    userMap.set(u.email, {
      email: u.email,
      isAdmin: on(u.is_admin),
      passwordChangeRequired: on(u.password_change_required),
    });
  }

  const activeTeams = new Set(teams.filter((t) => on(t.is_active)).map((t) => t.id));
  const personalTeams = new Map<string, string>();
  for (const t of teams) if (on(t.is_active) && on(t.is_personal)) personalTeams.set(t.created_by, t.id);

  const memberships = new Map<string, string[]>();
  for (const m of members) {
    if (on(m.is_active) && activeTeams.has(m.team_id) && userMap.has(m.user_email)) {
      push(memberships, m.user_email, m.team_id);
    }
  }

  const roleMap = new Map<string, { permissions: string[]; inheritsFrom: string | null }>();
  for (const r of roles) {
    if (on(r.is_active))
      roleMap.set(r.id, { permissions: jsonStrings(r.permissions), inheritsFrom: r.inherits_from });
  }
  const grants = new Map<string, DirectoryGrant[]>();
  for (const g of userRoles) {
    if (!on(g.is_active) || !roleMap.has(g.role_id) || !userMap.has(g.user_email)) continue;
    const scope = g.scope === "team" || g.scope === "personal" ? g.scope : "global";
    // A grant in a team the user left (or a deleted team) gives nothing.
    if (scope !== "global" && (g.scope_id === null || !activeTeams.has(g.scope_id))) continue;
    push(grants, g.user_email, {
      scope,
      teamId: scope === "global" ? undefined : (g.scope_id ?? undefined),
      permissions: resolvePermissions(g.role_id, roleMap),
      expiresAt: g.expires_at ?? undefined,
    });
  }

  const apiTokens = new Map<string, DirectoryApiToken>();
  for (const t of tokens) {
    if (!userMap.has(t.user_email)) continue;
    apiTokens.set(t.jti, {
      id: t.id,
      jti: t.jti,
      userEmail: t.user_email,
      teamId: t.team_id ?? undefined,
      serverId: t.server_id ?? undefined,
      permissions: jsonStrings(t.resource_scopes),
      ipRestrictions: jsonStrings(t.ip_restrictions),
      publicOnly: on(t.public_only),
      expiresAt: t.expires_at ?? undefined,
    });
  }

  return {
    generation,
    users: userMap,
    inactiveUsers,
    memberships,
    personalTeams,
    grants,
    apiTokens,
    revoked: new Set(revocations.map((r) => r.jti)),
  };
}

/** Creates the directory over the database; the first `current()` loads it. */
export function createAuthDirectory(db: Kysely<DatabaseSchema>): AuthDirectory {
  let generation = 0;
  let built: Promise<AuthSnapshot> | undefined;
  let stale = true;
  return {
    current() {
      if (!stale && built) return built;
      stale = false;
      const next = buildSnapshot(db, ++generation);
      // A failed load is retried by the next reader rather than cached.
      next.catch(() => {
        stale = true;
      });
      built = next;
      return next;
    },
    invalidate() {
      stale = true;
    },
  };
}
