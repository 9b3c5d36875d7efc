import { holdsAnywhere } from "../access.js";
import { grantsAny } from "../permissions.js";
import type { Principal } from "../principal.js";

/**
 * Whether the principal holds `permission` everywhere: a platform admin or a global grant, within
 * what its token allows. Administrative rights (`admin.*`, managing roles) need this: a team-scope
 * role that happens to list `admin.*` grants nothing outside its team.
 */
export function holdsGlobally(principal: Principal, permission: string): boolean {
  if (!holdsAnywhere(principal, permission)) return false;
  return principal.isAdmin || grantsAny(principal.globalPermissions, permission);
}

/** Whether the principal holds `permission` in team `teamId` (globally, or by a role there). */
export function holdsInTeam(principal: Principal, permission: string, teamId: string): boolean {
  // A token bound to one team acts in that team only, whatever its owner holds elsewhere.
  if (principal.token?.teamId !== undefined && principal.token.teamId !== teamId) return false;
  if (holdsGlobally(principal, permission)) return true;
  return (
    holdsAnywhere(principal, permission) && grantsAny(principal.teamPermissions.get(teamId) ?? [], permission)
  );
}

/** Whether the principal holds `permission` in `teamId`, or anywhere when `teamId` is null. */
export function holdsFor(principal: Principal, permission: string, teamId: string | null): boolean {
  return teamId === null ? holdsAnywhere(principal, permission) : holdsInTeam(principal, permission, teamId);
}

/** The permission that administers users, roles and grants everywhere. */
export const USER_MANAGEMENT = "admin.user_management";

/** The permission that administers a team's members and their team roles. */
export const MANAGE_MEMBERS = "teams.manage_members";

/** Whether the principal administers grants in team `teamId` (null: everywhere). */
export function managesTeam(principal: Principal, teamId: string | null): boolean {
  if (holdsGlobally(principal, USER_MANAGEMENT)) return true;
  return teamId !== null && holdsInTeam(principal, MANAGE_MEMBERS, teamId);
}

/** Whether the principal may read roles: user administrators and the admins of some team. */
export function readsRoles(principal: Principal): boolean {
  return holdsGlobally(principal, USER_MANAGEMENT) || holdsAnywhere(principal, MANAGE_MEMBERS);
}
