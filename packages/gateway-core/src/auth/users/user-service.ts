import type { Kysely } from "kysely";
import type { Settings } from "../../config/settings.js";
import { DEVELOPMENT_PASSWORD } from "../../config/settings-rules.js";
import type { DatabaseSchema, EmailUsersTable } from "../../db/database-schema.js";
import { nowIso, toBoolean } from "../../db/row-values.js";
import { GatewayError, validationError } from "../../errors/gateway-error.js";
import type { Logger } from "../../observability/logger.js";
import type { PasswordHasher } from "../passwords/password-hasher.js";
import type { PasswordPolicy } from "../passwords/password-policy.js";
import { setTeamRole } from "../rbac/grant-repository.js";
import { createCredentialVerifier } from "./credential-verifier.js";
import { insertPersonalTeam, removeUserAccess } from "./personal-team-repository.js";
import {
  countActiveAdmins,
  type Db,
  deleteUser,
  findUser,
  insertUser,
  listUsers,
  updateUser,
} from "./user-repository.js";
import {
  isEmail,
  normalizeEmail,
  toUserRead,
  type UserCreate,
  type UserListQuery,
  type UserRead,
  type UserUpdate,
} from "./user-schema.js";

/** A page of users. */
export interface UserPage {
  readonly items: UserRead[];
  readonly nextCursor: string | null;
}

/** Local users: accounts, passwords, logins. Callable without HTTP; every change calls `changed()`. */
export interface UserService {
  /** Creates the user with its personal team (owner, team_admin there), in one transaction. */
  create(input: UserCreate, actor?: string): Promise<UserRead>;
  get(email: string): Promise<UserRead>;
  list(query: Pick<UserListQuery, "limit" | "cursor">): Promise<UserPage>;
  update(email: string, input: UserUpdate): Promise<UserRead>;
  /** Deletes the user, its memberships, grants and tokens; deactivates its personal team. */
  delete(email: string, actor?: string): Promise<void>;
  /** Clears a lockout and the failed-login count. */
  unlock(email: string): Promise<UserRead>;
  /** Needs the current password; clears `password_change_required`; revokes nothing. */
  changePassword(email: string, oldPassword: string, newPassword: string): Promise<void>;
  /** The user when email and password are right (see {@link CredentialVerifier.verify}). */
  authenticate(email: string, password: string): Promise<UserRead>;
  /** Creates the platform administrator from the settings unless that user exists. */
  ensurePlatformAdmin(): Promise<"created" | "exists">;
}

/** Collaborators of the user service. */
export interface UserServiceOptions {
  readonly db: Kysely<DatabaseSchema>;
  readonly hasher: PasswordHasher;
  readonly policy: PasswordPolicy;
  readonly settings: Pick<
    Settings,
    | "MAX_FAILED_LOGIN_ATTEMPTS"
    | "ACCOUNT_LOCKOUT_DURATION_MINUTES"
    | "PLATFORM_ADMIN_EMAIL"
    | "PLATFORM_ADMIN_PASSWORD"
    | "PLATFORM_ADMIN_FULL_NAME"
  >;
  readonly logger: Logger;
  /** Marks the auth directory stale (after every committed change). */
  readonly changed: () => void;
}

const notFound = (email: string): GatewayError => new GatewayError("not_found", `User not found: ${email}`);

/** Creates the user service. */
export function createUserService(options: UserServiceOptions): UserService {
  const { db, hasher, policy, settings, logger, changed } = options;
  const verifier = createCredentialVerifier({ db, hasher, settings });

  const assertPolicy = (password: string, email: string, field: string): void => {
    const problems = policy.problems(password, email);
    if (problems.length > 0) {
      throw validationError(problems.map((msg) => ({ loc: ["body", field], msg, type: "password_policy" })));
    }
  };

  const getRow = async (email: string): Promise<EmailUsersTable> => {
    const row = await findUser(db, normalizeEmail(email));
    if (!row) throw notFound(normalizeEmail(email));
    return row;
  };

  const isActiveAdmin = (row: EmailUsersTable): boolean =>
    toBoolean(row.is_admin) && toBoolean(row.is_active);

  const assertNotLastAdmin = async (row: EmailUsersTable, what: string): Promise<void> => {
    if (isActiveAdmin(row) && (await countActiveAdmins(db)) <= 1) {
      throw new GatewayError("bad_request", `Cannot ${what} the last remaining active admin user`);
    }
  };

  /** Inserts the user, its personal team, the owner membership and its team_admin role. */
  const insertWithTeam = async (tx: Db, row: EmailUsersTable, actor: string): Promise<void> => {
    await insertUser(tx, row);
    const teamId = await insertPersonalTeam(tx, {
      email: row.email,
      displayName: row.full_name || row.email,
      now: row.created_at,
    });
    await setTeamRole(tx, row.email, teamId, "team_admin", actor);
  };

  const newRow = (
    email: string,
    passwordHash: string,
    input: Omit<UserCreate, "email" | "password">,
  ): EmailUsersTable => {
    const now = nowIso();
    return {
      email,
      password_hash: passwordHash,
      full_name: input.full_name ?? null,
      is_admin: input.is_admin ?? false,
      is_active: input.is_active ?? true,
      auth_provider: "local",
      password_change_required: input.password_change_required ?? false,
      failed_login_attempts: 0,
      locked_until: null,
      last_login: null,
      password_changed_at: now,
      created_at: now,
      updated_at: now,
    };
  };

  return {
    async create(input, actor) {
      const email = normalizeEmail(input.email);
      if (!isEmail(email)) {
        throw validationError([
          { loc: ["body", "email"], msg: "must be an email address", type: "value_error" },
        ]);
      }
      assertPolicy(input.password, email, "password");
      const conflict = (): GatewayError =>
        new GatewayError("conflict", `User with email ${email} already exists`);
      if (await findUser(db, email)) throw conflict();
      const row = newRow(email, await hasher.hash(input.password), input);
      try {
        await db.transaction().execute((tx) => insertWithTeam(tx, row, actor ?? email));
      } catch (error) {
        if (await findUser(db, email)) throw conflict();
        throw error;
      }
      changed();
      return toUserRead(row);
    },

    async get(email) {
      return toUserRead(await getRow(email));
    },

    async list(query) {
      const page = await listUsers(db, query);
      return { items: page.rows.map(toUserRead), nextCursor: page.nextCursor };
    },

    async update(email, input) {
      const row = await getRow(email);
      if (input.is_admin === false) await assertNotLastAdmin(row, "demote");
      if (input.is_active === false) await assertNotLastAdmin(row, "deactivate");
      const now = nowIso();
      const patch: Partial<EmailUsersTable> = { updated_at: now };
      if (input.full_name !== undefined) patch.full_name = input.full_name;
      if (input.is_admin !== undefined) patch.is_admin = input.is_admin;
      if (input.is_active !== undefined) patch.is_active = input.is_active;
      if (input.password_change_required !== undefined) {
        patch.password_change_required = input.password_change_required;
      }
      if (input.password !== undefined) {
        assertPolicy(input.password, row.email, "password");
        patch.password_hash = await hasher.hash(input.password);
        patch.password_changed_at = now;
      }
      await updateUser(db, row.email, patch);
      changed();
      return toUserRead({ ...row, ...patch });
    },

    async delete(email, actor) {
      const row = await getRow(email);
      if (actor !== undefined && normalizeEmail(actor) === row.email) {
        throw new GatewayError("bad_request", "Cannot delete your own account");
      }
      await assertNotLastAdmin(row, "delete");
      const now = nowIso();
      await db.transaction().execute(async (tx) => {
        await removeUserAccess(tx, row.email, actor ?? "system", now);
        await deleteUser(tx, row.email);
      });
      changed();
    },

    async unlock(email) {
      const row = await getRow(email);
      const patch = { failed_login_attempts: 0, locked_until: null, updated_at: nowIso() };
      await updateUser(db, row.email, patch);
      return toUserRead({ ...row, ...patch });
    },

    async changePassword(email, oldPassword, newPassword) {
      const normalised = normalizeEmail(email);
      assertPolicy(newPassword, normalised, "new_password");
      if (newPassword === oldPassword) {
        throw validationError([
          {
            loc: ["body", "new_password"],
            msg: "must differ from the current password",
            type: "password_policy",
          },
        ]);
      }
      try {
        await verifier.verify(normalised, oldPassword, { recordLogin: false });
      } catch (error) {
        if (error instanceof GatewayError && error.code === "unauthorized") {
          throw new GatewayError("unauthorized", "Current password is incorrect");
        }
        throw error;
      }
      const now = nowIso();
      await updateUser(db, normalised, {
        password_hash: await hasher.hash(newPassword),
        password_change_required: false,
        password_changed_at: now,
        updated_at: now,
      });
      changed();
    },

    async authenticate(email, password) {
      return toUserRead(await verifier.verify(email, password, { recordLogin: true }));
    },

    async ensurePlatformAdmin() {
      const email = normalizeEmail(settings.PLATFORM_ADMIN_EMAIL);
      if (await findUser(db, email)) return "exists";
      const password = settings.PLATFORM_ADMIN_PASSWORD;
      // The operator chose this password: the policy only warns. The development default must
      // be changed before the admin can do anything else.
      const problems = policy.problems(password, email);
      const isDefault = password === DEVELOPMENT_PASSWORD;
      if (problems.length > 0 && !isDefault) {
        logger.warn({ email, problems }, "PLATFORM_ADMIN_PASSWORD does not meet the password policy");
      }
      const row = newRow(email, await hasher.hash(password), {
        full_name: settings.PLATFORM_ADMIN_FULL_NAME,
        is_admin: true,
        password_change_required: isDefault,
      });
      try {
        await db.transaction().execute((tx) => insertWithTeam(tx, row, "system"));
      } catch (error) {
        // Another instance created it at the same moment.
        if (await findUser(db, email)) return "exists";
        throw error;
      }
      logger.info({ email }, "platform administrator created");
      changed();
      return "created";
    },
  };
}
