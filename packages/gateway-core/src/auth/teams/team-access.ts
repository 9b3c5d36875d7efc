import { grantsAny } from "../permissions.js";
import type { Principal } from "../principal.js";

// Who may see and act on a team, from the principal (the auth directory's view, current since
// every committed change invalidates it). Holding a permission in a team is decided by
// rbac/permission-checks.ts; this adds what only teams need.

/**
 * Whether the caller's token (if any) allows `permission` on the team: not a public-only token,
 * not a token bound to another team, and `permission` within its scopes. For actions decided by
 * membership rather than by a grant (an owner deleting its team, a user joining one).
 */
export function tokenPermits(principal: Principal, permission: string, teamId: string | undefined): boolean {
  const token = principal.token;
  if (!token) return true;
  if (token.publicOnly) return false;
  if (teamId !== undefined && token.teamId !== undefined && token.teamId !== teamId) return false;
  return token.permissions.length === 0 || grantsAny(token.permissions, permission);
}

/** Whether the caller may see the team at all: its members, and platform admins. */
export function seesTeam(principal: Principal, teamId: string): boolean {
  if (principal.token?.publicOnly) return false;
  if (principal.teamIds.includes(teamId)) return true;
  return principal.isAdmin && (principal.token?.teamId === undefined || principal.token.teamId === teamId);
}

/** Whether the caller is a stored user acting as itself (not anonymous, not a bare JWT subject). */
export function actsAsUser(principal: Principal): boolean {
  return principal.known && principal.token?.publicOnly !== true;
}
