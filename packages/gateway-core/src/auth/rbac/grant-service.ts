import type { Kysely } from "kysely";
import type { DatabaseSchema, UserRolesTable } from "../../db/database-schema.js";
import { newId, nowIso } from "../../db/row-values.js";
import { GatewayError, validationError } from "../../errors/gateway-error.js";
import type { Principal } from "../principal.js";
import { holdsGlobally, holdsInTeam, managesTeam, readsRoles, USER_MANAGEMENT } from "./permission-checks.js";
import {
  activeTeamExists,
  activeUserExists,
  isActiveMember,
  personalTeamOf,
} from "./rbac-lookup-repository.js";
import { allRoles, effectivePermissions } from "./role-repository.js";
import type { RoleAssign, RoleListQuery, RoleRevokeQuery, UserRoleRead } from "./role-schema.js";
import { deleteGrants, insertGrant, toUserRoleRead, userGrants } from "./user-role-repository.js";

/** What the grant service is built from. */
export interface GrantServiceOptions {
  readonly db: Kysely<DatabaseSchema>;
  /** Called after every committed change (invalidates the auth directory). */
  readonly changed: () => void;
}

/**
 * Roles granted to users (`/rbac/users/{email}/roles`, `/rbac/my/roles`). User administrators
 * grant anywhere; a team's admins (`teams.manage_members` there) grant team roles in it, to its
 * members. A grant never gives more than its granter holds where it applies.
 */
export interface GrantService {
  /** A user's grants: all of them for the user and user administrators, a team admin's teams' for team admins. */
  list(principal: Principal, email: string, query: RoleListQuery): Promise<UserRoleRead[]>;
  assign(principal: Principal, email: string, input: RoleAssign): Promise<UserRoleRead>;
  /** Revokes the user's grants of a role (those in `scope_id` when given). */
  revoke(principal: Principal, email: string, roleId: string, query: RoleRevokeQuery): Promise<void>;
  /** The caller's active grants. */
  mine(principal: Principal): Promise<UserRoleRead[]>;
}

const forbidden = (message: string): GatewayError => new GatewayError("forbidden", message);
const scopeIdIssue = (msg: string): GatewayError =>
  validationError([{ loc: ["body", "scope_id"], msg, type: "value_error" }]);

/** Creates the grant service. */
export function createGrantService({ db, changed }: GrantServiceOptions): GrantService {
  /** The team a grant applies in: team scope names it, personal scope is the user's own team. */
  async function grantTeam(email: string, input: RoleAssign): Promise<string | null> {
    if (input.scope !== "personal") return input.scope_id;
    const personal = await personalTeamOf(db, email);
    if (!personal) throw scopeIdIssue(`${email} has no personal team`);
    if (input.scope_id !== null && input.scope_id !== personal) {
      throw scopeIdIssue("must be the user's personal team");
    }
    return personal;
  }

  return {
    async list(principal, email, query) {
      const grants = await userGrants(db, email, { scope: query.scope, activeOnly: query.active_only });
      if (email === principal.subject || holdsGlobally(principal, USER_MANAGEMENT)) return grants;
      if (!readsRoles(principal)) {
        throw forbidden(
          "you may not read other users' roles (admin.user_management or teams.manage_members)",
        );
      }
      // A team's admins see the user's grants in their teams only.
      return grants.filter((grant) => grant.scope_id !== null && managesTeam(principal, grant.scope_id));
    },

    async assign(principal, email, input) {
      const all = await allRoles(db);
      const role = all.get(input.role_id);
      if (!role?.isActive) throw new GatewayError("not_found", `Role not found: ${input.role_id}`);
      if (role.scope !== input.scope) {
        throw validationError([
          { loc: ["body", "scope"], msg: `role ${role.name} is a ${role.scope} role`, type: "value_error" },
        ]);
      }
      // Who may grant is decided before anything about the user is revealed.
      if (input.scope !== "personal" && !managesTeam(principal, input.scope_id)) {
        throw forbidden(
          input.scope === "global"
            ? "only user administrators grant global roles (admin.user_management)"
            : `you may not grant roles in team ${input.scope_id} (teams.manage_members)`,
        );
      }
      if (!(await activeUserExists(db, email)))
        throw new GatewayError("not_found", `User not found: ${email}`);
      const teamId = await grantTeam(email, input);
      if (!managesTeam(principal, teamId)) {
        throw forbidden(`you may not grant roles in team ${teamId} (teams.manage_members)`);
      }
      if (teamId !== null) {
        if (!(await activeTeamExists(db, teamId)))
          throw new GatewayError("not_found", `Team not found: ${teamId}`);
        if (!(await isActiveMember(db, teamId, email)))
          throw scopeIdIssue(`${email} is not a member of team ${teamId}`);
      }
      const beyond = effectivePermissions(role, all).filter((permission) =>
        teamId === null ? !holdsGlobally(principal, permission) : !holdsInTeam(principal, permission, teamId),
      );
      if (beyond.length > 0) {
        throw forbidden(`a grant cannot give more than its granter holds: ${beyond.join(", ")}`);
      }
      if (input.expires_at !== null && input.expires_at <= nowIso()) {
        throw validationError([
          { loc: ["body", "expires_at"], msg: "must be in the future", type: "value_error" },
        ]);
      }
      const existing = await userGrants(db, email, { roleId: role.id, scope: input.scope, activeOnly: true });
      if (existing.some((grant) => grant.scope_id === teamId)) {
        throw new GatewayError("conflict", `${email} already has role ${role.name} here`);
      }
      const row: UserRolesTable = {
        id: newId(),
        user_email: email,
        role_id: role.id,
        scope: input.scope,
        scope_id: teamId,
        granted_by: principal.subject,
        granted_at: nowIso(),
        expires_at: input.expires_at,
        is_active: true,
      };
      await insertGrant(db, row);
      changed();
      return toUserRoleRead(row, role.name);
    },

    async revoke(principal, email, roleId, query) {
      if (!holdsGlobally(principal, USER_MANAGEMENT)) {
        if (query.scope_id === undefined) {
          throw forbidden("only user administrators revoke a role everywhere: give the team's scope_id");
        }
        if (!managesTeam(principal, query.scope_id)) {
          throw forbidden(`you may not revoke roles in team ${query.scope_id} (teams.manage_members)`);
        }
      }
      const grants = await userGrants(db, email, {
        roleId,
        scope: query.scope,
        scopeId: query.scope_id,
        activeOnly: false,
      });
      if (grants.length === 0) throw new GatewayError("not_found", "Role assignment not found");
      await deleteGrants(
        db,
        grants.map((grant) => grant.id),
      );
      changed();
    },

    async mine(principal) {
      return userGrants(db, principal.subject, { activeOnly: true });
    },
  };
}
