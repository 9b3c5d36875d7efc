/**
 * The permission strings of the gateway's RBAC (ContextForge's names): `<resource>.<action>`,
 * with `<resource>.*` and `*` as wildcards in grants.
 */
export const PERMISSIONS = [
  "tools.read",
  "tools.create",
  "tools.update",
  "tools.delete",
  "tools.execute",
  "resources.read",
  "resources.create",
  "resources.update",
  "resources.delete",
  "prompts.read",
  "prompts.create",
  "prompts.update",
  "prompts.delete",
  "prompts.execute",
  "servers.read",
  "servers.create",
  "servers.update",
  "servers.delete",
  "servers.use",
  "gateways.read",
  "gateways.create",
  "gateways.update",
  "gateways.delete",
  "a2a.read",
  "a2a.create",
  "a2a.update",
  "a2a.delete",
  "a2a.execute",
  "teams.read",
  "teams.create",
  "teams.update",
  "teams.delete",
  "teams.join",
  "teams.manage_members",
  "tokens.read",
  "tokens.create",
  "tokens.revoke",
  "admin.system_config",
  "admin.user_management",
  "admin.security_audit",
] as const;

/** One permission the gateway checks. */
export type Permission = (typeof PERMISSIONS)[number];

/** Where a role applies: everywhere, in one team, or in the user's personal team. */
export type RoleScope = "global" | "team" | "personal";

/** A built-in role, created at start and not editable. */
export interface SystemRole {
  readonly name: string;
  readonly scope: RoleScope;
  readonly description: string;
  readonly permissions: readonly string[];
}

const TEAM_CONTENT = ["tools", "resources", "prompts", "servers", "gateways", "a2a"] as const;

/** Everything on the team's content, and the team itself. */
const TEAM_ADMIN: readonly string[] = [
  ...TEAM_CONTENT.map((resource) => `${resource}.*`),
  "teams.read",
  "teams.update",
  "teams.manage_members",
  "tokens.read",
  "tokens.create",
  "tokens.revoke",
];

/** Use and build, but not delete others' work or manage members. */
const DEVELOPER: readonly string[] = [
  "tools.read",
  "tools.create",
  "tools.update",
  "tools.execute",
  "resources.read",
  "resources.create",
  "resources.update",
  "prompts.read",
  "prompts.create",
  "prompts.update",
  "prompts.execute",
  "servers.read",
  "servers.create",
  "servers.update",
  "servers.use",
  "gateways.read",
  "gateways.create",
  "gateways.update",
  "a2a.read",
  "a2a.execute",
  "teams.read",
  "tokens.read",
  "tokens.create",
  "tokens.revoke",
];

/** Look, and use what one may see. */
const VIEWER: readonly string[] = [
  "tools.read",
  "resources.read",
  "prompts.read",
  "servers.read",
  "gateways.read",
  "a2a.read",
  "teams.read",
];

/**
 * The system roles. A team's owners hold `team_admin` in it and its members `developer`
 * (granted when they join, changeable by an administrator); the platform admin holds
 * `platform_admin` globally.
 */
export const SYSTEM_ROLES: readonly SystemRole[] = [
  { name: "platform_admin", scope: "global", description: "Everything, everywhere.", permissions: ["*"] },
  {
    name: "team_admin",
    scope: "team",
    description: "Manages a team and all of its content.",
    permissions: TEAM_ADMIN,
  },
  {
    name: "developer",
    scope: "team",
    description: "Uses and builds a team's tools and servers.",
    permissions: DEVELOPER,
  },
  { name: "viewer", scope: "team", description: "Reads a team's content.", permissions: VIEWER },
];

/** The role a team membership grants in that team. */
export function roleForMembership(role: "owner" | "member"): "team_admin" | "developer" {
  return role === "owner" ? "team_admin" : "developer";
}

/** Whether `granted` (a permission, `<resource>.*` or `*`) covers `wanted`. */
export function grants(granted: string, wanted: string): boolean {
  if (granted === "*" || granted === wanted) return true;
  if (!granted.endsWith(".*")) return false;
  return wanted.startsWith(granted.slice(0, -1));
}

/** Whether any of `granted` covers `wanted`. */
export function grantsAny(granted: Iterable<string>, wanted: string): boolean {
  for (const permission of granted) if (grants(permission, wanted)) return true;
  return false;
}

/** Whether `value` is a permission string a grant may hold: a known permission, `<resource>.*` or `*`. */
export function isGrantablePermission(value: string): boolean {
  if (value === "*") return true;
  if ((PERMISSIONS as readonly string[]).includes(value)) return true;
  if (!value.endsWith(".*")) return false;
  const prefix = value.slice(0, -1);
  return PERMISSIONS.some((permission) => permission.startsWith(prefix));
}
