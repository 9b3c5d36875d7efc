import type { Kysely } from "kysely";
import type { Settings } from "../config/settings.js";
import type { DatabaseSchema } from "../db/database-schema.js";
import type { Logger } from "../observability/logger.js";
import { type AuthDirectory, createAuthDirectory } from "./auth-directory.js";
import type { JwtService } from "./jwt-service.js";
import { createPasswordHasher } from "./passwords/password-hasher.js";
import { createPasswordPolicy } from "./passwords/password-policy.js";
import { ensureSystemRoles } from "./rbac/grant-repository.js";
import { createGrantService, type GrantService } from "./rbac/grant-service.js";
import { createPermissionService, type PermissionService } from "./rbac/permission-service.js";
import { createRoleService, type RoleService } from "./rbac/role-service.js";
import { createTeamInvitationService, type TeamInvitationService } from "./teams/team-invitation-service.js";
import { createTeamService, type TeamService } from "./teams/team-service.js";
import { createTokenService, type TokenService } from "./tokens/token-service.js";
import { createSessionService, type SessionService } from "./users/session-service.js";
import { createUserService, type UserService } from "./users/user-service.js";

/** What the auth services are built from. */
export interface AuthModuleOptions {
  readonly db: Kysely<DatabaseSchema>;
  readonly settings: Settings;
  readonly jwt: JwtService;
  readonly logger: Logger;
  /**
   * Called after every committed change, once the local directory is marked stale: the
   * gateway announces it on the bus so the other replicas drop theirs too.
   */
  readonly onChange?: () => void;
}

/**
 * Users, teams, roles and tokens: the services behind `/auth`, `/teams`, `/rbac` and `/tokens`,
 * and the in-memory directory authentication reads. Every service calls `changed()` after a
 * committed change, so the next request sees it.
 */
export interface AuthModule {
  readonly directory: AuthDirectory;
  /** Marks the directory stale after a committed change (services call it). */
  changed(): void;
  /** After migrations: the system roles and the platform administrator exist. Idempotent. */
  bootstrap(): Promise<void>;
  /** Local users and passwords (`/auth/email/...`). */
  readonly users: UserService;
  /** Login and logout (session JWTs). */
  readonly sessions: SessionService;
  /** API tokens (`/tokens`). */
  readonly tokens: TokenService;
  /** Roles (`/rbac/roles`). */
  readonly roles: RoleService;
  /** Roles granted to users (`/rbac/users/{email}/roles`, `/rbac/my/roles`). */
  readonly grants: GrantService;
  /** Effective permissions and checks (`/rbac/my/permissions`, `/rbac/permissions/...`). */
  readonly permissions: PermissionService;
  /** Teams and their members (`/teams`). */
  readonly teams: TeamService;
  /** Invitations to teams (`/teams/{id}/invitations`, `/teams/invitations/...`). */
  readonly invitations: TeamInvitationService;
}

/** Builds the auth services over one database. */
export function createAuthModule(options: AuthModuleOptions): AuthModule {
  const directory = createAuthDirectory(options.db);
  const changed = (): void => {
    directory.invalidate();
    options.onChange?.();
  };
  const { db, settings, logger } = options;
  const hasher = createPasswordHasher({
    timeCost: settings.ARGON2ID_TIME_COST,
    memoryCost: settings.ARGON2ID_MEMORY_COST,
    parallelism: settings.ARGON2ID_PARALLELISM,
  });
  const policy = createPasswordPolicy({ minLength: settings.PASSWORD_MIN_LENGTH });
  const users = createUserService({ db, hasher, policy, settings, logger, changed });
  const sessions = createSessionService({ db, users, jwt: options.jwt, settings, changed });
  return {
    directory,
    changed,
    users,
    sessions,
    tokens: createTokenService({
      db,
      jwt: options.jwt,
      requireExpiration: settings.REQUIRE_TOKEN_EXPIRATION,
      changed,
    }),
    roles: createRoleService({ db, changed }),
    grants: createGrantService({ db, changed }),
    permissions: createPermissionService({ db, directory }),
    teams: createTeamService({ db, settings, changed }),
    invitations: createTeamInvitationService({ db, settings, changed }),
    async bootstrap() {
      await ensureSystemRoles(options.db);
      // After the roles: the admin's personal team grants it team_admin there.
      await users.ensurePlatformAdmin();
      changed();
    },
  };
}
