import type { Kysely } from "kysely";
import type { DatabaseSchema } from "../../db/database-schema.js";
import { nowIso } from "../../db/row-values.js";
import { GatewayError } from "../../errors/gateway-error.js";
import { holdsAnywhere, may } from "../access.js";
import type { AuthDirectory } from "../auth-directory.js";
import { grantsAny, PERMISSIONS } from "../permissions.js";
import type { Principal } from "../principal.js";
import { resolvePrincipal } from "../resolve-principal.js";
import { holdsGlobally, holdsInTeam } from "./permission-checks.js";
import { itemOwnership } from "./rbac-lookup-repository.js";
import type { PermissionCheck, PermissionCheckResult, PermissionList } from "./role-schema.js";

/** What the permission service is built from. */
export interface PermissionServiceOptions {
  readonly db: Kysely<DatabaseSchema>;
  /** The auth snapshot: another user's principal, for administrators' checks. */
  readonly directory: AuthDirectory;
}

/**
 * What a principal may do (`/rbac/my/permissions`, `/rbac/permissions/...`), answered by the same
 * functions every route and MCP method decides with (auth/access.ts).
 */
export interface PermissionService {
  /**
   * The caller's effective permissions, sorted: its global ones and those of its teams (of one
   * team when `teamId` is given), narrowed to what its token allows.
   */
  mine(principal: Principal, teamId: string | undefined): string[];
  /**
   * Whether the caller (or, with `admin.security_audit`, another user) may do `permission`: on
   * one registry item, in one team, or anywhere.
   */
  check(principal: Principal, input: PermissionCheck): Promise<PermissionCheckResult>;
  /** Every permission string the gateway knows, by resource. */
  available(): PermissionList;
}

/** `held` narrowed to what the token allows (both may hold wildcards). */
function intersect(held: ReadonlySet<string>, allowed: readonly string[]): Set<string> {
  const result = new Set<string>();
  for (const permission of held) if (grantsAny(allowed, permission)) result.add(permission);
  for (const permission of allowed) if (grantsAny(held, permission)) result.add(permission);
  return result;
}

function byResource(): Record<string, string[]> {
  const groups: Record<string, string[]> = {};
  for (const permission of PERMISSIONS) {
    const resource = permission.slice(0, permission.indexOf("."));
    const group = groups[resource] ?? [];
    group.push(permission);
    groups[resource] = group;
  }
  return groups;
}

/** Creates the permission service. */
export function createPermissionService({ db, directory }: PermissionServiceOptions): PermissionService {
  async function subjectOf(principal: Principal, email: string | null): Promise<Principal> {
    if (email === null || email === principal.subject) return principal;
    if (!holdsGlobally(principal, "admin.security_audit")) {
      throw new GatewayError("forbidden", "checking another user's permissions needs admin.security_audit");
    }
    const snapshot = await directory.current();
    if (!snapshot.users.has(email)) throw new GatewayError("not_found", `User not found: ${email}`);
    return resolvePrincipal(snapshot, email, "jwt", { requireStoredUser: true });
  }

  return {
    mine(principal, teamId) {
      const token = principal.token;
      const held = new Set<string>(principal.isAdmin ? ["*"] : principal.globalPermissions);
      for (const [team, permissions] of principal.teamPermissions) {
        if (teamId !== undefined && team !== teamId) continue;
        // A token bound to one team carries nothing from the others.
        if (token?.teamId !== undefined && team !== token.teamId) continue;
        for (const permission of permissions) held.add(permission);
      }
      const effective = token && token.permissions.length > 0 ? intersect(held, token.permissions) : held;
      return [...effective].sort();
    },

    async check(principal, input) {
      const subject = await subjectOf(principal, input.user_email);
      let granted: boolean;
      if (input.resource_type !== null && input.resource_id !== null) {
        // An item the subject cannot see is one it may do nothing with: no existence leak.
        const ownership = await itemOwnership(db, input.resource_type, input.resource_id);
        granted = ownership !== undefined && may(subject, input.permission, ownership);
      } else if (input.team_id !== null) {
        granted = holdsInTeam(subject, input.permission, input.team_id);
      } else {
        granted = holdsAnywhere(subject, input.permission);
      }
      return {
        user_email: subject.subject,
        permission: input.permission,
        granted,
        checked_at: nowIso(),
        checked_by: principal.subject,
      };
    },

    available() {
      return {
        all_permissions: [...PERMISSIONS],
        permissions_by_resource: byResource(),
        total_count: PERMISSIONS.length,
      };
    },
  };
}
