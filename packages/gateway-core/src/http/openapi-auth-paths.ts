import {
  permissionCheckSchema,
  roleAssignSchema,
  roleCreateSchema,
  roleListQuerySchema,
  roleRevokeQuerySchema,
  roleUpdateSchema,
  teamContextQuerySchema,
} from "../auth/rbac/role-schema.js";
import {
  adminTokenListQuerySchema,
  tokenCreateSchema,
  tokenListQuerySchema,
  tokenRevokeSchema,
  tokenUpdateSchema,
} from "../auth/tokens/token-schema.js";
import {
  changePasswordSchema,
  loginSchema,
  registrationSchema,
  userCreateSchema,
  userListQuerySchema,
  userUpdateSchema,
} from "../auth/users/user-schema.js";
import {
  type ErrorStatus,
  ID_PARAM,
  type JsonObject,
  type OperationDoc,
  pathParam,
  rootPath,
} from "./openapi-helpers.js";
import { createTeamPaths } from "./openapi-team-paths.js";

/** The tags of the auth paths, in the order the docs page shows them. */
export const AUTH_TAGS: readonly JsonObject[] = [
  { name: "Auth", description: "Login, logout, the caller's own profile and password" },
  { name: "Users", description: "User administration (admin.user_management)" },
  { name: "Teams", description: "Teams, members and invitations" },
  { name: "Tokens", description: "API tokens: the caller's own, and (platform admins) everyone's" },
  { name: "RBAC", description: "Roles, role grants and permission checks" },
];

const ARRAY = { type: "array" };
const OUTCOME = "{success, message}";
// A JSON body under the auth routes' 16 KiB limit.
const BODY: readonly ErrorStatus[] = [400, 413, 415, 422];
// userListQuerySchema takes the configured page sizes, which only shape its transform.
const USER_LIST_QUERY = userListQuerySchema({ pageSize: 1, maxPageSize: 1 });

const login = (summary: string): OperationDoc => ({
  summary,
  open: true,
  body: loginSchema,
  answer: "A session token: {access_token, token_type, expires_in, user}",
  errors: [
    ...BODY,
    [401, "Wrong email or password"],
    [403, "Email login is disabled (EMAIL_AUTH_ENABLED), or the account is locked after failed logins"],
  ],
});

function sessionPaths(): Record<string, JsonObject> {
  return {
    "/auth/email/login": rootPath("Auth", [], { post: login("Log in with email and password") }),
    "/auth/login": rootPath("Auth", [], { post: login("Log in (alias of /auth/email/login)") }),
    "/auth/logout": rootPath("Auth", [], {
      post: {
        summary: "Revoke the bearer token of this request",
        answer: "{message, revoked_token}",
        errors: [[400, "Not a bearer token, or one that cannot be revoked (no jti)"], 401],
      },
    }),
    "/auth/email/me": rootPath("Auth", [], {
      get: { summary: "The caller's user", answer: "The user", errors: [401, [404, "No stored user"]] },
    }),
    "/auth/email/change-password": rootPath("Auth", [], {
      post: {
        summary: "Change the caller's password",
        body: changePasswordSchema,
        answer: OUTCOME,
        errors: [...BODY, [401, "Missing credentials, or a wrong current password"], [403, "Account locked"]],
      },
    }),
  };
}

function userPaths(): Record<string, JsonObject> {
  const email = [pathParam("email")];
  const manager: ErrorStatus = [403, "Needs admin.user_management; only a platform admin touches admins"];
  return {
    "/auth/email/register": rootPath("Users", [], {
      post: {
        summary: "Create a user (administrators only: no self-registration)",
        body: registrationSchema,
        answer: ["201", "The new user"],
        errors: [...BODY, 401, manager, 409],
      },
    }),
    "/auth/email/admin/users": rootPath("Users", [], {
      get: {
        summary: "List users",
        query: USER_LIST_QUERY,
        answer: ["200", "Users; {users, nextCursor} with include_pagination", { type: ["array", "object"] }],
        errors: [400, 401, manager, 422],
      },
      post: {
        summary: "Create a user",
        body: userCreateSchema,
        answer: ["201", "The new user"],
        errors: [...BODY, 401, manager, 409],
      },
    }),
    "/auth/email/admin/users/{email}": rootPath("Users", email, {
      get: { summary: "Get a user", answer: "The user", errors: [401, manager, 404] },
      put: {
        summary: "Change a user",
        body: userUpdateSchema,
        answer: "The user",
        errors: [...BODY, 401, manager, 404],
      },
      delete: {
        summary: "Delete a user",
        answer: OUTCOME,
        errors: [[400, "One's own account, or the last active admin"], 401, manager, 404],
      },
    }),
    "/auth/email/admin/users/{email}/unlock": rootPath("Users", email, {
      post: { summary: "Unlock after failed logins", answer: OUTCOME, errors: [401, manager, 404] },
    }),
  };
}

function tokenPaths(): Record<string, JsonObject> {
  const id = [ID_PARAM];
  const owner: ErrorStatus = [403, "Token management needs an interactive session, not an API token"];
  const admin: ErrorStatus = [403, "Platform administrators only, in an interactive session"];
  const revoke = (summary: string, who: ErrorStatus): OperationDoc => ({
    summary,
    body: tokenRevokeSchema,
    bodyOptional: true,
    answer: ["204", "Revoked"],
    errors: [...BODY, 401, who, 404],
  });
  return {
    "/tokens": rootPath("Tokens", [], {
      post: {
        summary: "Create an API token",
        body: tokenCreateSchema,
        answer: ["201", "{token, access_token}: the only time the token is shown"],
        errors: [
          ...BODY,
          401,
          [403, "Not from an API token; the scope or team must be within the owner's rights"],
          [404, "No such team"],
          409,
        ],
      },
      get: {
        summary: "The caller's tokens",
        query: tokenListQuerySchema,
        answer: "{tokens, total, limit, offset}",
        errors: [401, owner, 422],
      },
    }),
    "/tokens/admin/all": rootPath("Tokens", [], {
      get: {
        summary: "Everyone's tokens",
        query: adminTokenListQuerySchema,
        answer: "{tokens, total, limit, offset}",
        errors: [401, admin, 422],
      },
    }),
    "/tokens/admin/{id}": rootPath("Tokens", id, { delete: revoke("Revoke anyone's token", admin) }),
    "/tokens/{id}": rootPath("Tokens", id, {
      get: { summary: "One of the caller's tokens", answer: "The token", errors: [401, owner, 404] },
      put: {
        summary: "Change one of the caller's tokens",
        body: tokenUpdateSchema,
        answer: "The token",
        errors: [...BODY, 401, 403, 404, [409, "Name taken, or the token is revoked"]],
      },
      delete: revoke("Revoke one of the caller's tokens", owner),
    }),
  };
}

function rbacPaths(): Record<string, JsonObject> {
  const reader: ErrorStatus = [403, "Needs admin.user_management or teams.manage_members"];
  const admin: ErrorStatus = [403, "Platform administrators only; system roles cannot be changed"];
  const userRoles = [pathParam("email")];
  return {
    "/rbac/roles": rootPath("RBAC", [], {
      get: {
        summary: "List roles",
        query: roleListQuerySchema,
        answer: ["200", "Roles", ARRAY],
        errors: [401, reader, 422],
      },
      post: {
        summary: "Create a role",
        body: roleCreateSchema,
        answer: "The role",
        errors: [...BODY, 401, admin, 409],
      },
    }),
    "/rbac/roles/{id}": rootPath("RBAC", [ID_PARAM], {
      get: { summary: "Get a role", answer: "The role", errors: [401, reader, 404] },
      put: {
        summary: "Change a role",
        body: roleUpdateSchema,
        answer: "The role",
        errors: [...BODY, 401, admin, 404, 409],
      },
      delete: {
        summary: "Delete a role",
        answer: "{message}",
        errors: [401, admin, 404, [409, "Other roles inherit from it"]],
      },
    }),
    "/rbac/users/{email}/roles": rootPath("RBAC", userRoles, {
      get: {
        summary: "A user's role grants",
        query: roleListQuerySchema,
        answer: ["200", "Grants", ARRAY],
        errors: [401, 403, 422],
      },
      post: {
        summary: "Grant a role",
        body: roleAssignSchema,
        answer: "The grant",
        errors: [...BODY, 401, 403, [404, "No such role, user or team"], [409, "Already granted there"]],
      },
    }),
    "/rbac/users/{email}/roles/{roleId}": rootPath("RBAC", [...userRoles, pathParam("roleId")], {
      delete: {
        summary: "Revoke a role grant",
        query: roleRevokeQuerySchema,
        answer: "{message}",
        errors: [401, 403, 404, 422],
      },
    }),
    "/rbac/my/roles": rootPath("RBAC", [], {
      get: { summary: "The caller's role grants", answer: ["200", "Grants", ARRAY], errors: [401] },
    }),
    "/rbac/my/permissions": rootPath("RBAC", [], {
      get: {
        summary: "The caller's effective permissions",
        query: teamContextQuerySchema,
        answer: ["200", "Permission names", { type: "array", items: { type: "string" } }],
        errors: [401, 422],
      },
    }),
    "/rbac/permissions/check": rootPath("RBAC", [], {
      post: {
        summary: "Whether a user holds a permission",
        body: permissionCheckSchema,
        answer: "{user_email, permission, granted, checked_at, checked_by}",
        errors: [...BODY, 401, [403, "Checking another user needs admin.security_audit"], 404],
      },
    }),
    "/rbac/permissions/available": rootPath("RBAC", [], {
      get: {
        summary: "Every permission",
        answer: "{all_permissions, permissions_by_resource, total_count}",
        errors: [401],
      },
    }),
  };
}

/**
 * The OpenAPI paths of the auth routes (`/auth`, `/tokens`, `/rbac`, `/teams`), each served at
 * the root only (a path-level `servers` entry), request bodies and queries from their zod schemas.
 */
export function createAuthPaths(): Record<string, JsonObject> {
  return { ...sessionPaths(), ...userPaths(), ...tokenPaths(), ...rbacPaths(), ...createTeamPaths() };
}
