import { grantsAny } from "./permissions.js";
import type { Principal } from "./principal.js";

/** Who owns an item and who may see it: the columns every registry entity has. */
export interface Ownership {
  /** private | team | public */
  readonly visibility: string;
  readonly teamId: string | null | undefined;
  readonly ownerEmail: string | null | undefined;
}

// Actions that use an item without changing it: whoever may see a public item may do them.
const USE_ACTIONS = new Set(["read", "execute", "use"]);

function actionOf(permission: string): string {
  return permission.slice(permission.lastIndexOf(".") + 1);
}

/** Whether the token (if any) allows the permission at all. */
function tokenAllows(principal: Principal, permission: string): boolean {
  const scopes = principal.token?.permissions ?? [];
  return scopes.length === 0 || grantsAny(scopes, permission);
}

/**
 * THE visibility rule, for every list and every call on every edge (REST, `/rpc`, `/mcp`, `/sse`,
 * `/ws`): public items for everyone; team items for the team's members; private items for their
 * owner; everything for a platform admin. A public-only token sees public items only; a token
 * bound to a team sees that team's items, public ones and its owner's own.
 * {@link visibilityFilter} is the same rule as SQL: keep the two in step.
 */
export function canSee(principal: Principal, item: Ownership): boolean {
  const token = principal.token;
  if (token?.publicOnly) return item.visibility === "public";
  if (principal.isAdmin && token?.teamId === undefined) return true;
  switch (item.visibility) {
    case "public":
      return true;
    case "team":
      return (
        (item.teamId != null && principal.teamIds.includes(item.teamId)) ||
        (principal.isAdmin && item.teamId === token?.teamId)
      );
    case "private":
      return item.ownerEmail != null && item.ownerEmail === principal.subject;
    default:
      return false;
  }
}

/**
 * Whether the principal may do `permission` (`tools.execute`, `servers.update`, ...) on `item`.
 * It must see the item, its token must allow the permission, and then: a platform admin or a
 * global grant may; the item's owner may; a role in the item's team that grants it may; and
 * anyone who sees a public item may use it (`read`, `execute`, `use`), not change it.
 */
export function may(principal: Principal, permission: string, item: Ownership): boolean {
  if (!canSee(principal, item) || !tokenAllows(principal, permission)) return false;
  if (principal.isAdmin || grantsAny(principal.globalPermissions, permission)) return true;
  if (item.ownerEmail != null && item.ownerEmail === principal.subject) return true;
  if (item.teamId != null && grantsAny(principal.teamPermissions.get(item.teamId) ?? [], permission)) {
    return true;
  }
  return item.visibility === "public" && USE_ACTIONS.has(actionOf(permission));
}

/**
 * Whether the principal may create an item of `resource` (`tools`, `servers`, ...) in `teamId`
 * (undefined/null: its personal space). A platform admin or a global grant may anywhere; a role
 * in the team that grants `<resource>.create` may there; any stored user may in its own space.
 */
export function mayCreate(
  principal: Principal,
  resource: string,
  teamId: string | null | undefined,
): boolean {
  const permission = `${resource}.create`;
  if (!tokenAllows(principal, permission) || principal.token?.publicOnly) return false;
  if (principal.isAdmin || grantsAny(principal.globalPermissions, permission)) return true;
  if (teamId == null) return principal.known;
  if (principal.token?.teamId !== undefined && principal.token.teamId !== teamId) return false;
  return grantsAny(principal.teamPermissions.get(teamId) ?? [], permission);
}

/** Whether the principal holds `permission` somewhere (globally or in one of its teams). */
export function holdsAnywhere(principal: Principal, permission: string): boolean {
  if (!tokenAllows(principal, permission)) return false;
  if (principal.isAdmin || grantsAny(principal.globalPermissions, permission)) return true;
  for (const granted of principal.teamPermissions.values()) if (grantsAny(granted, permission)) return true;
  return false;
}

/** What a list query must keep, as data: {@link canSee} in a form a repository turns into SQL. */
export type VisibilityFilter =
  | { readonly kind: "all" }
  | { readonly kind: "public" }
  | { readonly kind: "some"; readonly teamIds: readonly string[]; readonly ownerEmail: string };

/** {@link canSee} as a filter for SQL lists (same cases, same order). */
export function visibilityFilter(principal: Principal): VisibilityFilter {
  const token = principal.token;
  if (token?.publicOnly) return { kind: "public" };
  if (principal.isAdmin && token?.teamId === undefined) return { kind: "all" };
  const teamIds =
    principal.isAdmin && token?.teamId !== undefined && !principal.teamIds.includes(token.teamId)
      ? [...principal.teamIds, token.teamId]
      : principal.teamIds;
  return { kind: "some", teamIds, ownerEmail: principal.subject };
}

/** Whether `item` passes `filter` (what the SQL of {@link visibilityFilter} keeps). */
export function passes(filter: VisibilityFilter, item: Ownership): boolean {
  switch (filter.kind) {
    case "all":
      return true;
    case "public":
      return item.visibility === "public";
    case "some":
      return (
        item.visibility === "public" ||
        (item.visibility === "team" && item.teamId != null && filter.teamIds.includes(item.teamId)) ||
        (item.visibility === "private" && item.ownerEmail === filter.ownerEmail)
      );
  }
}

/**
 * A short key that is equal for principals that see exactly the same items: caches of filtered
 * lists are keyed by it.
 */
export function visibilityKey(principal: Principal): string {
  const filter = visibilityFilter(principal);
  if (filter.kind !== "some") return filter.kind;
  return `some:${filter.ownerEmail}:${[...filter.teamIds].sort().join(",")}`;
}
