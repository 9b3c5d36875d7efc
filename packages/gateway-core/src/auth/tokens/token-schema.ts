import { z } from "zod";
import { nameField, tagsField } from "../../registry/shared/entity-fields.js";
import { isCidr } from "../ip-restrictions.js";
import { isGrantablePermission } from "../permissions.js";

/** What an API token narrows its owner's rights to (`scope` of create and update bodies). */
export interface TokenScopeInput {
  /** Only this virtual server's MCP endpoints. */
  readonly server_id: string | null;
  /** Only these permissions (within the owner's); empty = the owner's. */
  readonly permissions: string[];
  /** Only from these addresses (CIDRs or single addresses, IPv4 or IPv6); empty = any. */
  readonly ip_restrictions: string[];
}

/** `POST /tokens` body, after validation. */
export interface TokenCreate {
  readonly name: string;
  readonly description: string | null;
  /** Lifetime in days; null = no expiry (refused when REQUIRE_TOKEN_EXPIRATION is on). */
  readonly expires_in_days: number | null;
  readonly tags: string[];
  /** Only this team's items (and public ones, and the owner's own). */
  readonly team_id: string | null;
  /** Only public items. */
  readonly public_only: boolean;
  readonly scope: TokenScopeInput;
}

/** `PUT /tokens/{id}` body: the fields given replace the stored ones; `scope` replaces the whole scope. */
export interface TokenUpdate {
  readonly name?: string | undefined;
  readonly description?: string | null | undefined;
  readonly tags?: string[] | undefined;
  readonly public_only?: boolean | undefined;
  readonly scope?: TokenScopeInput | undefined;
}

/** `GET /tokens` and `GET /tokens/admin/all` query, after validation. */
export interface TokenListQuery {
  readonly include_inactive: boolean;
  readonly limit: number;
  readonly offset: number;
  /** Admin list only: one user's tokens. */
  readonly user_email?: string | undefined;
}

/** `DELETE /tokens/{id}` optional body. */
export interface TokenRevoke {
  readonly reason: string | null;
}

// ContextForge clients send these two (usually empty); the gateway does not implement them, so
// anything but an empty object is refused rather than silently ignored.
const unsupported = z
  .record(z.string(), z.unknown())
  .refine((value) => Object.keys(value).length === 0, "is not supported by this gateway")
  .optional();

const scopeSchema = z
  .strictObject({
    server_id: z.string().trim().min(1).max(36).nullable().optional(),
    permissions: z
      .array(z.string().refine(isGrantablePermission, "is not a known permission"))
      .max(100)
      .optional(),
    ip_restrictions: z
      .array(z.string().trim().refine(isCidr, "must be an IPv4 or IPv6 address or CIDR"))
      .max(100)
      .optional(),
    time_restrictions: unsupported,
    usage_limits: unsupported,
  })
  .transform(
    (scope): TokenScopeInput => ({
      server_id: scope.server_id ?? null,
      permissions: [...new Set(scope.permissions ?? [])],
      ip_restrictions: [...new Set(scope.ip_restrictions ?? [])],
    }),
  );

const EMPTY_SCOPE: TokenScopeInput = { server_id: null, permissions: [], ip_restrictions: [] };

/** Validates a token create body. */
export const tokenCreateSchema: z.ZodType<TokenCreate> = z
  .strictObject({
    name: nameField,
    description: z.string().max(1000).nullable().optional(),
    expires_in_days: z.number().int().min(1).max(3650).nullable().optional(),
    tags: tagsField.optional(),
    team_id: z.string().trim().min(1).max(36).nullable().optional(),
    public_only: z.boolean().optional(),
    scope: scopeSchema.nullable().optional(),
  })
  .transform(
    (body): TokenCreate => ({
      name: body.name,
      description: body.description ?? null,
      expires_in_days: body.expires_in_days ?? null,
      tags: body.tags ?? [],
      team_id: body.team_id ?? null,
      public_only: body.public_only ?? false,
      scope: body.scope ?? EMPTY_SCOPE,
    }),
  ) as unknown as z.ZodType<TokenCreate>;

/** Validates a token update body. */
export const tokenUpdateSchema: z.ZodType<TokenUpdate> = z.strictObject({
  name: nameField.optional(),
  description: z.string().max(1000).nullable().optional(),
  tags: tagsField.optional(),
  public_only: z.boolean().optional(),
  scope: scopeSchema.optional(),
}) as unknown as z.ZodType<TokenUpdate>;

const booleanParam = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");

const listQueryFields = {
  include_inactive: booleanParam.optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  offset: z.coerce.number().int().min(0).optional(),
};

const toListQuery = (q: {
  include_inactive?: boolean | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
  user_email?: string | undefined;
}): TokenListQuery => ({
  include_inactive: q.include_inactive ?? false,
  limit: q.limit ?? 50,
  offset: q.offset ?? 0,
  ...(q.user_email === undefined ? {} : { user_email: q.user_email }),
});

/** Validates the query of `GET /tokens` (ContextForge's `include_inactive`, `limit`, `offset`). */
export const tokenListQuerySchema: z.ZodType<TokenListQuery> = z
  .strictObject(listQueryFields)
  .transform(toListQuery) as unknown as z.ZodType<TokenListQuery>;

/** Validates the query of `GET /tokens/admin/all` (also `user_email`). */
export const adminTokenListQuerySchema: z.ZodType<TokenListQuery> = z
  .strictObject({
    ...listQueryFields,
    user_email: z.string().trim().toLowerCase().min(1).max(255).optional(),
  })
  .transform(toListQuery) as unknown as z.ZodType<TokenListQuery>;

/** Validates the optional body of a revocation. */
export const tokenRevokeSchema: z.ZodType<TokenRevoke> = z
  .strictObject({ reason: z.string().max(255).nullable().optional() })
  .transform((body): TokenRevoke => ({ reason: body.reason ?? null })) as unknown as z.ZodType<TokenRevoke>;

/** An API token as the API shows it (ContextForge's `TokenResponse`): never the token itself. */
export interface TokenRead {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly user_email: string;
  readonly team_id: string | null;
  readonly server_id: string | null;
  /** The permissions the token is limited to; empty = its owner's. */
  readonly resource_scopes: readonly string[];
  readonly ip_restrictions: readonly string[];
  readonly public_only: boolean;
  /** Always empty: ContextForge clients send `{}`; anything else is refused with 422. */
  readonly time_restrictions: Record<string, never>;
  /** Always empty: ContextForge clients send `{}`; anything else is refused with 422. */
  readonly usage_limits: Record<string, never>;
  readonly created_at: string;
  readonly expires_at: string | null;
  readonly last_used: string | null;
  readonly is_active: boolean;
  readonly is_revoked: boolean;
  readonly revoked_at: string | null;
  readonly revoked_by: string | null;
  readonly revocation_reason: string | null;
  readonly tags: readonly string[];
}

/** `POST /tokens` answer: the only time the token itself is shown. */
export interface TokenCreated {
  readonly token: TokenRead;
  readonly access_token: string;
}

/** A page of tokens (ContextForge's `TokenListResponse`). */
export interface TokenPage {
  readonly tokens: readonly TokenRead[];
  /** Tokens matching the query, across all pages. */
  readonly total: number;
  readonly limit: number;
  readonly offset: number;
}
