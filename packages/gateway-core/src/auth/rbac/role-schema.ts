import { z } from "zod";
import { descriptionField, nameField } from "../../registry/shared/entity-fields.js";
import { isGrantablePermission, type RoleScope } from "../permissions.js";

/** `POST /rbac/roles` body, after validation. */
export interface RoleCreate {
  readonly name: string;
  readonly description: string | null;
  readonly scope: RoleScope;
  readonly permissions: string[];
  /** The id of a role whose permissions this one adds to its own. */
  readonly inherits_from: string | null;
}

/** `PUT /rbac/roles/{id}` body: the fields given replace the stored ones. */
export interface RoleUpdate {
  readonly name?: string | undefined;
  readonly description?: string | null | undefined;
  readonly permissions?: string[] | undefined;
  readonly inherits_from?: string | null | undefined;
  readonly is_active?: boolean | undefined;
}

/** `POST /rbac/users/{email}/roles` body, after validation. */
export interface RoleAssign {
  readonly role_id: string;
  readonly scope: RoleScope;
  /** The team, for team scope (and personal scope: the user's personal team, the default). */
  readonly scope_id: string | null;
  /** ISO-8601 UTC; null = never. */
  readonly expires_at: string | null;
}

/** `POST /rbac/permissions/check` body, after validation. */
export interface PermissionCheck {
  /** Whose permission; default the caller. */
  readonly user_email: string | null;
  readonly permission: string;
  readonly resource_type: ResourceType | null;
  readonly resource_id: string | null;
  readonly team_id: string | null;
}

/** The kinds of registry item a permission check may name. */
export type ResourceType = "tools" | "resources" | "prompts" | "servers" | "gateways" | "a2a";

const scopeField = z.enum(["global", "team", "personal"]);
const idField = z.string().trim().min(1).max(36);

const permissionsField = z
  .array(z.string().refine(isGrantablePermission, "is not a known permission"))
  .max(200)
  .transform((permissions) => [...new Set(permissions)]);

/** Validates a role create body (ContextForge's `RoleCreateRequest`). */
export const roleCreateSchema: z.ZodType<RoleCreate> = z
  .strictObject({
    name: nameField,
    description: descriptionField.nullable().optional(),
    scope: scopeField,
    permissions: permissionsField,
    inherits_from: idField.nullable().optional(),
    // ContextForge clients send it; system roles are built in and cannot be created.
    is_system_role: z.literal(false, "system roles are built in and cannot be created").nullable().optional(),
  })
  .transform(
    (body): RoleCreate => ({
      name: body.name,
      description: body.description ?? null,
      scope: body.scope,
      permissions: body.permissions,
      inherits_from: body.inherits_from ?? null,
    }),
  ) as unknown as z.ZodType<RoleCreate>;

/** Validates a role update body (ContextForge's `RoleUpdateRequest`). */
export const roleUpdateSchema: z.ZodType<RoleUpdate> = z.strictObject({
  name: nameField.optional(),
  description: descriptionField.nullable().optional(),
  permissions: permissionsField.optional(),
  inherits_from: idField.nullable().optional(),
  is_active: z.boolean().optional(),
}) as unknown as z.ZodType<RoleUpdate>;

/** Validates a role assignment body (ContextForge's `UserRoleAssignRequest`). */
export const roleAssignSchema: z.ZodType<RoleAssign> = z
  .strictObject({
    role_id: idField,
    scope: scopeField,
    scope_id: idField.nullable().optional(),
    expires_at: z.iso
      .datetime({ offset: true, local: false })
      .transform((value) => new Date(value).toISOString())
      .nullable()
      .optional(),
  })
  .superRefine((body, ctx) => {
    if (body.scope === "global" && body.scope_id != null) {
      ctx.addIssue({
        code: "custom",
        path: ["scope_id"],
        message: "a global role applies everywhere: give no scope_id",
      });
    }
    if (body.scope === "team" && body.scope_id == null) {
      ctx.addIssue({ code: "custom", path: ["scope_id"], message: "a team role needs the team's id" });
    }
  })
  .transform(
    (body): RoleAssign => ({
      role_id: body.role_id,
      scope: body.scope,
      scope_id: body.scope_id ?? null,
      expires_at: body.expires_at ?? null,
    }),
  ) as unknown as z.ZodType<RoleAssign>;

/** Validates a permission check body (ContextForge's `PermissionCheckRequest`, `user_email` optional). */
export const permissionCheckSchema: z.ZodType<PermissionCheck> = z
  .strictObject({
    user_email: z.string().trim().toLowerCase().min(1).max(255).nullable().optional(),
    permission: z.string().refine(isGrantablePermission, "is not a known permission"),
    resource_type: z
      .enum([
        "tools",
        "tool",
        "resources",
        "resource",
        "prompts",
        "prompt",
        "servers",
        "server",
        "gateways",
        "gateway",
        "a2a",
      ])
      .transform(
        (type): ResourceType => (type.endsWith("s") || type === "a2a" ? type : `${type}s`) as ResourceType,
      )
      .nullable()
      .optional(),
    resource_id: idField.nullable().optional(),
    team_id: idField.nullable().optional(),
  })
  .refine((body) => (body.resource_id == null) === (body.resource_type == null), {
    message: "resource_type and resource_id go together",
    path: ["resource_id"],
  })
  .transform(
    (body): PermissionCheck => ({
      user_email: body.user_email ?? null,
      permission: body.permission,
      resource_type: body.resource_type ?? null,
      resource_id: body.resource_id ?? null,
      team_id: body.team_id ?? null,
    }),
  ) as unknown as z.ZodType<PermissionCheck>;

const booleanParam = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");

/** `GET /rbac/roles` and `GET /rbac/users/{email}/roles` query. */
export interface RoleListQuery {
  readonly scope: RoleScope | undefined;
  readonly active_only: boolean;
}

/** Validates a role list query. */
export const roleListQuerySchema: z.ZodType<RoleListQuery> = z
  .strictObject({ scope: scopeField.optional(), active_only: booleanParam.optional() })
  .transform(
    (q): RoleListQuery => ({ scope: q.scope, active_only: q.active_only ?? true }),
  ) as unknown as z.ZodType<RoleListQuery>;

/** `DELETE /rbac/users/{email}/roles/{role_id}` query: which of the role's grants to revoke. */
export interface RoleRevokeQuery {
  readonly scope: RoleScope | undefined;
  readonly scope_id: string | undefined;
}

/** Validates a role revocation query. */
export const roleRevokeQuerySchema: z.ZodType<RoleRevokeQuery> = z.strictObject({
  scope: scopeField.optional(),
  scope_id: idField.optional(),
}) as unknown as z.ZodType<RoleRevokeQuery>;

/** Validates `GET /rbac/my/permissions` query. */
export const teamContextQuerySchema: z.ZodType<{ team_id?: string | undefined }> = z.strictObject({
  team_id: idField.optional(),
});

/** A role as the API shows it (ContextForge's `RoleResponse`). */
export interface RoleRead {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly scope: string;
  readonly permissions: readonly string[];
  /** With the permissions of the roles it inherits from. */
  readonly effective_permissions: readonly string[];
  readonly inherits_from: string | null;
  readonly created_by: string;
  readonly is_system_role: boolean;
  readonly is_active: boolean;
  readonly created_at: string;
  readonly updated_at: string;
}

/** A role granted to a user (ContextForge's `UserRoleResponse`). */
export interface UserRoleRead {
  readonly id: string;
  readonly user_email: string;
  readonly role_id: string;
  readonly role_name: string | null;
  readonly scope: string;
  readonly scope_id: string | null;
  readonly granted_by: string;
  readonly granted_at: string;
  readonly expires_at: string | null;
  readonly is_active: boolean;
}

/** `POST /rbac/permissions/check` answer (ContextForge's `PermissionCheckResponse`). */
export interface PermissionCheckResult {
  readonly user_email: string;
  readonly permission: string;
  readonly granted: boolean;
  readonly checked_at: string;
  readonly checked_by: string;
}

/** `GET /rbac/permissions/available` answer (ContextForge's `PermissionListResponse`). */
export interface PermissionList {
  readonly all_permissions: readonly string[];
  readonly permissions_by_resource: Record<string, string[]>;
  readonly total_count: number;
}
