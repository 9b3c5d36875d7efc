import { z } from "zod";
import type { ToolsTable } from "../../db/database-schema.js";
import { fromJson, toBoolean } from "../../db/row-values.js";
import {
  descriptionField,
  httpUrlField,
  jsonObjectField,
  ownershipFields,
  tagsField,
  type Visibility,
} from "../shared/entity-fields.js";

/** How a tool is invoked. MCP tools come only from registered gateways. */
export type IntegrationType = "MCP" | "REST" | "A2A";

/** Credentials for a REST tool or a gateway, as the API accepts them (flat, ContextForge style). */
export interface AuthInput {
  readonly auth_type?: "basic" | "bearer" | "authheaders" | null | undefined;
  readonly auth_username?: string | undefined;
  readonly auth_password?: string | undefined;
  readonly auth_token?: string | undefined;
  readonly auth_header_key?: string | undefined;
  readonly auth_header_value?: string | undefined;
}

/** `POST /tools` body (inside `{"tool": ...}`), after validation. */
export interface ToolCreate extends AuthInput {
  readonly name: string;
  readonly display_name?: string | undefined;
  readonly url: string;
  readonly description?: string | undefined;
  readonly integration_type: "REST";
  readonly request_type: "GET" | "POST" | "PUT" | "DELETE" | "PATCH";
  readonly headers?: Record<string, string> | undefined;
  readonly input_schema: Record<string, unknown>;
  readonly output_schema?: Record<string, unknown> | null | undefined;
  readonly annotations: Record<string, unknown>;
  readonly jsonpath_filter?: string | undefined;
  readonly tags: string[];
  readonly team_id?: string | null | undefined;
  readonly owner_email?: string | null | undefined;
  readonly visibility?: Visibility | undefined;
}

/** `PUT /tools/{id}` body: every field optional, plus `custom_name`. */
export type ToolUpdate = Partial<Omit<ToolCreate, "integration_type">> & {
  readonly custom_name?: string | null | undefined;
};

const toolName = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(255, "must be at most 255 characters")
  .regex(
    /^[A-Za-z0-9_][A-Za-z0-9_./-]*$/,
    "must start with a letter, digit or _ and use only letters, digits, _ . / -",
  );

const authFields = {
  auth_type: z.enum(["basic", "bearer", "authheaders"]).nullable().optional(),
  auth_username: z.string().max(255).optional(),
  auth_password: z.string().max(4096).optional(),
  auth_token: z.string().max(8192).optional(),
  auth_header_key: z
    .string()
    .max(255)
    .regex(/^[A-Za-z0-9_-]+$/, "may contain only letters, digits, - and _")
    .optional(),
  auth_header_value: z.string().max(8192).optional(),
};

const headersField = z.record(
  z.string().regex(/^[A-Za-z0-9_-]+$/, "invalid header name"),
  z.string().max(8192),
);
const requestType = z.enum(["GET", "POST", "PUT", "DELETE", "PATCH"]);

const createSchema = z
  .strictObject({
    name: toolName,
    display_name: z.string().trim().max(255).optional(),
    url: httpUrlField,
    description: descriptionField.optional(),
    integration_type: z
      .string()
      .default("REST")
      .refine(
        (v) => v !== "MCP",
        "MCP tools cannot be created by hand: register their MCP server under /gateways",
      )
      .refine((v) => v !== "A2A", "A2A tools are created by registering an A2A agent")
      .pipe(z.literal("REST", { error: "must be REST" })),
    request_type: requestType.default("POST"),
    headers: headersField.optional(),
    input_schema: jsonObjectField.default({ type: "object", properties: {} }),
    output_schema: jsonObjectField.nullable().optional(),
    annotations: jsonObjectField.default({}),
    jsonpath_filter: z.string().max(1024).optional(),
    gateway_id: z.null({ error: "tools of a gateway are discovered from it, not created" }).optional(),
    tags: tagsField.default([]),
    ...authFields,
    ...ownershipFields,
  })
  .transform(({ gateway_id: _ignored, ...rest }) => rest);

const updateSchema = z.strictObject({
  name: toolName.optional(),
  custom_name: toolName.nullable().optional(),
  display_name: z.string().trim().max(255).optional(),
  url: httpUrlField.optional(),
  description: descriptionField.optional(),
  request_type: requestType.optional(),
  headers: headersField.optional(),
  input_schema: jsonObjectField.optional(),
  output_schema: jsonObjectField.nullable().optional(),
  annotations: jsonObjectField.optional(),
  jsonpath_filter: z.string().max(1024).optional(),
  tags: tagsField.optional(),
  ...authFields,
  ...ownershipFields,
});

/** Validates a tool create body (snake_case keys). */
export const toolCreateSchema: z.ZodType<ToolCreate> = createSchema as unknown as z.ZodType<ToolCreate>;
/** Validates a tool update body (snake_case keys). */
export const toolUpdateSchema: z.ZodType<ToolUpdate> = updateSchema as unknown as z.ZodType<ToolUpdate>;

/** A tool as the API returns it (camelCase, secrets masked). */
export interface ToolRead {
  readonly id: string;
  readonly originalName: string;
  readonly name: string;
  readonly customName: string | null;
  readonly customNameSlug: string | null;
  readonly displayName: string | null;
  readonly gatewaySlug: string | null;
  readonly gatewayId: string | null;
  readonly url: string | null;
  readonly description: string | null;
  readonly requestType: string;
  readonly integrationType: string;
  readonly headers: Record<string, string> | null;
  readonly inputSchema: Record<string, unknown>;
  readonly outputSchema: Record<string, unknown> | null;
  readonly annotations: Record<string, unknown>;
  readonly jsonpathFilter: string | null;
  readonly auth: { readonly authType: string; readonly authValue: string } | null;
  readonly tags: string[];
  readonly enabled: boolean;
  readonly reachable: boolean;
  readonly deletedUpstream: boolean;
  readonly teamId: string | null;
  readonly ownerEmail: string | null;
  readonly visibility: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly createdBy: string | null;
  readonly modifiedBy: string | null;
  readonly version: number;
  readonly metrics: null;
}

/** A stored tool row as the API shows it; `authValue` is always masked. */
export function toToolRead(
  row: ToolsTable,
  gatewaySlug: string | null,
  masked: string,
  customNameSlug: string | null,
): ToolRead {
  return {
    id: row.id,
    originalName: row.original_name,
    name: row.name,
    customName: row.custom_name,
    customNameSlug,
    displayName: row.display_name,
    gatewaySlug,
    gatewayId: row.gateway_id,
    url: row.url,
    description: row.description,
    requestType: row.request_type,
    integrationType: row.integration_type,
    headers: fromJson<Record<string, string> | null>(row.headers, null),
    inputSchema: fromJson<Record<string, unknown>>(row.input_schema, {}),
    outputSchema: fromJson<Record<string, unknown> | null>(row.output_schema, null),
    annotations: fromJson<Record<string, unknown>>(row.annotations, {}),
    jsonpathFilter: row.jsonpath_filter,
    auth: row.auth_type ? { authType: row.auth_type, authValue: masked } : null,
    tags: fromJson<string[]>(row.tags, []),
    enabled: toBoolean(row.enabled),
    reachable: toBoolean(row.reachable),
    deletedUpstream: toBoolean(row.deleted_upstream),
    teamId: row.team_id,
    ownerEmail: row.owner_email,
    visibility: row.visibility,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    createdBy: row.created_by,
    modifiedBy: row.modified_by,
    version: row.version,
    metrics: null,
  };
}
