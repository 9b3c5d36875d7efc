import { GatewayError } from "../errors/gateway-error.js";
import type { AuthSnapshot } from "./auth-directory.js";
import type { AuthMethod, Principal, TokenScope } from "./principal.js";

/** How {@link resolvePrincipal} treats the subject. */
export interface ResolveOptions {
  /** Refuse a subject that is not an active stored user (401). */
  readonly requireStoredUser: boolean;
  readonly tokenId?: string | undefined;
  /** API tokens: what the token narrows the user's rights to. */
  readonly token?: TokenScope | undefined;
  /** Login sessions: carry the user's forced password change. */
  readonly enforcePasswordChange?: boolean | undefined;
}

function addAll(target: Map<string, Set<string>>, teamId: string, permissions: readonly string[]): void {
  let set = target.get(teamId);
  if (!set) {
    set = new Set();
    target.set(teamId, set);
  }
  for (const permission of permissions) set.add(permission);
}

/**
 * The principal of `subject` from the auth snapshot: its teams, its unexpired grants (global,
 * per team), admin status, narrowed by an API token's scope. A subject that is not a stored user
 * (a JWT minted with the key for any name) is a user with no team and no grant: it sees public
 * items only, unless `requireStoredUser`.
 */
export function resolvePrincipal(
  snapshot: AuthSnapshot,
  subject: string,
  via: AuthMethod,
  options: ResolveOptions,
): Principal {
  const user = snapshot.users.get(subject);
  if (!user && (options.requireStoredUser || snapshot.inactiveUsers.has(subject))) {
    throw new GatewayError("unauthorized", "the token's user does not exist or is inactive");
  }
  const now = new Date().toISOString();
  const global = new Set<string>();
  const byTeam = new Map<string, Set<string>>();
  for (const grant of snapshot.grants.get(subject) ?? []) {
    if (grant.expiresAt !== undefined && grant.expiresAt <= now) continue;
    if (grant.scope === "global") for (const permission of grant.permissions) global.add(permission);
    else if (grant.teamId !== undefined) addAll(byTeam, grant.teamId, grant.permissions);
  }
  const isAdmin = (user?.isAdmin ?? false) || global.has("*");
  const token = options.token;
  let teamIds = snapshot.memberships.get(subject) ?? [];
  if (token?.publicOnly) teamIds = [];
  else if (token?.teamId !== undefined) teamIds = teamIds.filter((id) => id === token.teamId);
  return {
    subject,
    via,
    tokenId: options.tokenId,
    isAdmin,
    known: user !== undefined,
    teamIds,
    personalTeamId: snapshot.personalTeams.get(subject),
    globalPermissions: [...global],
    teamPermissions: new Map([...byTeam].map(([teamId, set]) => [teamId, [...set]])),
    token,
    passwordChangeRequired:
      (options.enforcePasswordChange ?? false) && (user?.passwordChangeRequired ?? false),
  };
}
