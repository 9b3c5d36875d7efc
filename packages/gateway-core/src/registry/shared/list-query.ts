import { z } from "zod";
import type { VisibilityFilter } from "../../auth/access.js";
import { zodIssues } from "../../edge/zod-issues.js";
import { validationError } from "../../errors/gateway-error.js";

/** What every list route accepts (ContextForge's query parameters). */
export interface ListQuery {
  readonly includeInactive: boolean;
  readonly tags: readonly string[];
  readonly limit: number;
  readonly cursor: string | undefined;
  readonly includePagination: boolean;
  readonly gatewayId: string | null | undefined;
  readonly teamId: string | undefined;
  readonly visibility: "private" | "team" | "public" | undefined;
  /** What the caller may see (set by the route from its principal); undefined = everything. */
  readonly access?: VisibilityFilter | undefined;
}

/** Page sizes: `limit` defaults to `pageSize`; 0 means "all" up to `maxPageSize`. */
export interface PageLimits {
  readonly pageSize: number;
  readonly maxPageSize: number;
}

const booleanParam = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");

const schema = z.strictObject({
  include_inactive: booleanParam.optional(),
  include_pagination: booleanParam.optional(),
  tags: z.string().max(1000).optional(),
  limit: z.coerce.number().int().min(0).optional(),
  cursor: z.string().max(512).optional(),
  gateway_id: z.string().max(64).optional(),
  team_id: z.string().max(36).optional(),
  visibility: z.enum(["private", "team", "public"]).optional(),
  // Accepted for ContextForge clients; metrics are reported by the metrics routes.
  include_metrics: booleanParam.optional(),
});

/** Validates list query parameters; unknown parameters are rejected like unknown body fields. */
export function parseListQuery(query: Record<string, string>, limits: PageLimits): ListQuery {
  const parsed = schema.safeParse(query);
  if (!parsed.success) {
    throw validationError(zodIssues(parsed.error, ["query"]));
  }
  const q = parsed.data;
  const limit = q.limit === undefined ? limits.pageSize : q.limit === 0 ? limits.maxPageSize : q.limit;
  return {
    includeInactive: q.include_inactive ?? false,
    includePagination: q.include_pagination ?? false,
    tags: (q.tags ?? "")
      .split(",")
      .map((t) => t.trim().toLowerCase())
      .filter((t) => t.length > 0),
    limit: Math.min(limit, limits.maxPageSize),
    cursor: q.cursor,
    gatewayId: q.gateway_id === undefined ? undefined : q.gateway_id === "null" ? null : q.gateway_id,
    teamId: q.team_id,
    visibility: q.visibility,
  };
}
