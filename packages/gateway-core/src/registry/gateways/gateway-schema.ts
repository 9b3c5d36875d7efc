import { z } from "zod";
import type { GatewaysTable } from "../../db/database-schema.js";
import {
  descriptionField,
  httpUrlField,
  nameField,
  ownershipFields,
  tagsField,
  type Visibility,
} from "../shared/entity-fields.js";
import { fromJson, toBoolean } from "../shared/row-values.js";
import type { AuthInput } from "../tools/tool-schema.js";

/** Upstream transports a gateway can be registered with (ContextForge's names). */
export type GatewayTransport = "SSE" | "STREAMABLEHTTP";

/** `POST /gateways` body (not wrapped, as in ContextForge), after validation. */
export interface GatewayCreate extends AuthInput {
  readonly name: string;
  readonly url: string;
  readonly description?: string | undefined;
  readonly transport: GatewayTransport;
  readonly passthrough_headers?: string[] | undefined;
  readonly tags: string[];
  readonly refresh_interval_seconds?: number | null | undefined;
  readonly team_id?: string | null | undefined;
  readonly owner_email?: string | null | undefined;
  readonly visibility?: Visibility | undefined;
}

/** `PUT /gateways/{id}` body. */
export type GatewayUpdate = Partial<GatewayCreate>;

const transport = z.preprocess(
  (value) => (typeof value === "string" ? value.toUpperCase().replaceAll("_", "") : value),
  z
    .string()
    .transform((value) => (value === "HTTP" ? "STREAMABLEHTTP" : value))
    .refine(
      (value) => value !== "STDIO" && value !== "WEBSOCKET" && value !== "WS",
      "stdio and WebSocket upstreams are not supported yet: expose the server over streamable HTTP (e.g. with mcptranslate)",
    )
    .pipe(z.enum(["SSE", "STREAMABLEHTTP"], { error: "must be SSE or STREAMABLEHTTP" })),
);

const fields = {
  name: nameField,
  url: httpUrlField,
  description: descriptionField.optional(),
  transport,
  passthrough_headers: z
    .array(z.string().regex(/^[A-Za-z0-9-]+$/, "must be a header name"))
    .max(50)
    .optional(),
  tags: tagsField,
  refresh_interval_seconds: z.number().int().min(60, "must be at least 60").nullable().optional(),
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
  ...ownershipFields,
};

/** Validates a gateway create body. */
export const gatewayCreateSchema: z.ZodType<GatewayCreate> = z.strictObject({
  ...fields,
  transport: fields.transport.default("STREAMABLEHTTP"),
  tags: fields.tags.default([]),
}) as unknown as z.ZodType<GatewayCreate>;

/** Validates a gateway update body. */
export const gatewayUpdateSchema: z.ZodType<GatewayUpdate> = z
  .strictObject(fields)
  .partial() as unknown as z.ZodType<GatewayUpdate>;

/** A gateway (registered upstream MCP server) as the API returns it; credentials masked. */
export interface GatewayRead {
  readonly id: string;
  readonly name: string;
  readonly slug: string;
  readonly url: string;
  readonly description: string | null;
  readonly transport: string;
  readonly capabilities: Record<string, unknown>;
  readonly protocolVersion: string | null;
  readonly serverInfo: Record<string, unknown> | null;
  readonly passthroughHeaders: string[] | null;
  readonly authType: string | null;
  readonly authValue: string | null;
  readonly tags: string[];
  readonly enabled: boolean;
  readonly reachable: boolean;
  readonly lastSeen: string | null;
  readonly lastError: string | null;
  readonly refreshIntervalSeconds: number | null;
  readonly teamId: string | null;
  readonly ownerEmail: string | null;
  readonly visibility: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly createdBy: string | null;
  readonly modifiedBy: string | null;
  readonly version: number;
}

/** A stored gateway row as the API shows it. */
export function toGatewayRead(row: GatewaysTable, masked: string): GatewayRead {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    url: row.url,
    description: row.description,
    transport: row.transport,
    capabilities: fromJson<Record<string, unknown>>(row.capabilities, {}),
    protocolVersion: row.protocol_version,
    serverInfo: fromJson<Record<string, unknown> | null>(row.server_info, null),
    passthroughHeaders: fromJson<string[] | null>(row.passthrough_headers, null),
    authType: row.auth_type,
    authValue: row.auth_type ? masked : null,
    tags: fromJson<string[]>(row.tags, []),
    enabled: toBoolean(row.enabled),
    reachable: toBoolean(row.reachable),
    lastSeen: row.last_seen,
    lastError: row.last_error,
    refreshIntervalSeconds: row.refresh_interval_seconds,
    teamId: row.team_id,
    ownerEmail: row.owner_email,
    visibility: row.visibility,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    createdBy: row.created_by,
    modifiedBy: row.modified_by,
    version: row.version,
  };
}

/** What a refresh changed (ContextForge's GatewayRefreshResponse). */
export interface GatewayRefreshResult {
  readonly gatewayId: string;
  readonly success: boolean;
  readonly error: string | null;
  readonly toolsAdded: number;
  readonly toolsUpdated: number;
  readonly toolsRemoved: number;
  readonly resourcesAdded: number;
  readonly resourcesUpdated: number;
  readonly resourcesRemoved: number;
  readonly promptsAdded: number;
  readonly promptsUpdated: number;
  readonly promptsRemoved: number;
  readonly validationErrors: string[];
  readonly durationMs: number;
  readonly refreshedAt: string;
}
