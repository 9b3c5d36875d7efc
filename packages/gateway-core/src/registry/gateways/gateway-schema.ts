import { isAbsolute } from "node:path";
import { z } from "zod";
import type { GatewaysTable } from "../../db/database-schema.js";
import { fromJson, toBoolean } from "../../db/row-values.js";
import {
  descriptionField,
  nameField,
  ownershipFields,
  tagsField,
  type Visibility,
} from "../shared/entity-fields.js";
import type { AuthInput } from "../tools/tool-schema.js";

/** Upstream transports a gateway can be registered with (ContextForge's names). */
export type GatewayTransport = "SSE" | "STREAMABLEHTTP" | "WEBSOCKET" | "STDIO" | "REVERSE";

/** `POST /gateways` body (not wrapped, as in ContextForge), after validation. */
export interface GatewayCreate extends AuthInput {
  readonly name: string;
  /**
   * Required for SSE and STREAMABLEHTTP (http(s)) and WEBSOCKET (ws(s)); absent for STDIO (stored
   * as `stdio://<slug>`).
   */
  readonly url?: string | undefined;
  readonly description?: string | undefined;
  readonly transport: GatewayTransport;
  /** STDIO only (and required there): the program to run. */
  readonly command?: string | undefined;
  /** STDIO only: its arguments. */
  readonly args?: string[] | undefined;
  /** STDIO only: its environment variables (stored encrypted, answered masked). */
  readonly env?: Record<string, string> | undefined;
  /** STDIO only: its absolute working directory. */
  readonly cwd?: string | undefined;
  readonly passthrough_headers?: string[] | undefined;
  readonly tags: string[];
  readonly refresh_interval_seconds?: number | null | undefined;
  /** Whether downstream sessions share upstream sessions; default `auto`. */
  readonly session_mode?: GatewaySessionMode | undefined;
  /** Seconds a call to this upstream may take; null: `TOOL_TIMEOUT`. */
  readonly timeout_seconds?: number | null | undefined;
  /** Tools and prompts keep the upstream's own names (no slug prefix), on `/mcp` too. */
  readonly expose_original_names?: boolean | undefined;
  readonly team_id?: string | null | undefined;
  readonly owner_email?: string | null | undefined;
  readonly visibility?: Visibility | undefined;
}

/** `PUT /gateways/{id}` body. */
export type GatewayUpdate = Partial<GatewayCreate>;

/**
 * How downstream sessions use the upstream's sessions (the data path's `UpstreamSessionMode`):
 * `pooled` shares them, `per_client` gives each 2025-era downstream session (streamable HTTP, SSE,
 * WebSocket) its own, `auto` does so when the upstream keeps state per session.
 */
export const GATEWAY_SESSION_MODES = ["auto", "pooled", "per_client"] as const;

/** One of {@link GATEWAY_SESSION_MODES}. */
export type GatewaySessionMode = (typeof GATEWAY_SESSION_MODES)[number];

/** A stored `session_mode`; anything unknown reads as the default, `auto`. */
export function sessionModeOf(stored: string | null | undefined): GatewaySessionMode {
  return (GATEWAY_SESSION_MODES as readonly string[]).includes(stored ?? "")
    ? (stored as GatewaySessionMode)
    : "auto";
}

/** Bounds of `timeout_seconds` (one hour at most, like any call a client waits on). */
const MAX_GATEWAY_TIMEOUT_SECONDS = 3600;

/** Other names accepted for a transport (after upper-casing and dropping `_`). */
const TRANSPORT_ALIASES: Readonly<Record<string, string>> = { HTTP: "STREAMABLEHTTP", WS: "WEBSOCKET" };

const transport = z.preprocess(
  (value) => (typeof value === "string" ? value.toUpperCase().replaceAll("_", "") : value),
  z
    .string()
    .transform((value) => TRANSPORT_ALIASES[value] ?? value)
    .pipe(
      z.enum(["SSE", "STREAMABLEHTTP", "WEBSOCKET", "STDIO"], {
        error: "must be SSE, STREAMABLEHTTP, WEBSOCKET or STDIO",
      }),
    ),
);

/** An upstream's URL: http(s) for SSE and streamable HTTP, ws(s) for WebSocket (see `transportProblems`). */
const upstreamUrlField = z
  .string()
  .trim()
  .max(2048, "must be at most 2048 characters")
  .url("must be a URL")
  .refine((value) => /^(https?|wss?):\/\//i.test(value), "must be an http(s):// or ws(s):// URL");

/** URL schemes of the network transports, and how a message names them. */
const URL_SCHEMES: Readonly<Record<string, { readonly pattern: RegExp; readonly name: string }>> = {
  SSE: { pattern: /^https?:\/\//i, name: "an http:// or https:// URL" },
  STREAMABLEHTTP: { pattern: /^https?:\/\//i, name: "an http:// or https:// URL" },
  WEBSOCKET: { pattern: /^wss?:\/\//i, name: "a ws:// or wss:// URL" },
};

/** The fields only a STDIO gateway has. */
export const STDIO_FIELDS = ["command", "args", "env", "cwd"] as const;

const stdioFields = {
  command: z
    .string()
    .trim()
    .min(1, "must not be empty")
    .max(1024, "must be at most 1024 characters")
    .refine((value) => !value.includes("\0"), "must not contain NUL"),
  args: z
    .array(
      z
        .string()
        .max(8192, "must be at most 8192 characters")
        .refine((v) => !v.includes("\0"), "must not contain NUL"),
    )
    .max(256, "at most 256 arguments"),
  env: z
    .record(
      z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name")
        .max(255),
      z
        .string()
        .max(32_768, "must be at most 32768 characters")
        .refine((v) => !v.includes("\0"), "must not contain NUL"),
    )
    .refine((env) => Object.keys(env).length <= 100, "at most 100 variables"),
  cwd: z
    .string()
    .max(1024, "must be at most 1024 characters")
    .refine((value) => isAbsolute(value), "must be an absolute path"),
};

const fields = {
  name: nameField,
  url: upstreamUrlField,
  description: descriptionField.optional(),
  transport,
  command: stdioFields.command.optional(),
  args: stdioFields.args.optional(),
  env: stdioFields.env.optional(),
  cwd: stdioFields.cwd.optional(),
  passthrough_headers: z
    .array(z.string().regex(/^[A-Za-z0-9-]+$/, "must be a header name"))
    .max(50)
    .optional(),
  tags: tagsField,
  refresh_interval_seconds: z.number().int().min(60, "must be at least 60").nullable().optional(),
  session_mode: z
    .enum(GATEWAY_SESSION_MODES, { error: "must be auto, pooled or per_client" })
    .describe(
      "Upstream sessions per downstream session: `pooled` (shared), `per_client` (one per 2025-era " +
        "downstream session, closed with it), `auto` (per_client when the upstream keeps session state).",
    )
    .optional(),
  expose_original_names: z
    .boolean()
    .describe(
      "Expose this upstream's tools and prompts under their own names (no `<slug>-` prefix), on /mcp " +
        "too; a name another gateway already exposes is refused with 409.",
    )
    .optional(),
  timeout_seconds: z
    .number()
    .int()
    .min(1, "must be at least 1")
    .max(MAX_GATEWAY_TIMEOUT_SECONDS, `must be at most ${MAX_GATEWAY_TIMEOUT_SECONDS}`)
    .nullable()
    .describe("Seconds a call to this upstream may take; null uses TOOL_TIMEOUT.")
    .optional(),
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

type TransportShape = Partial<
  Record<"transport" | "url" | "auth_type" | (typeof STDIO_FIELDS)[number], unknown>
>;

/**
 * The rules between transport and the other fields that one body can show: STDIO needs a command
 * (when `requireCommand`: on create) and takes neither a URL nor HTTP credentials; the stdio fields
 * belong to STDIO alone; WEBSOCKET needs a ws(s) URL, SSE and STREAMABLEHTTP an http(s) one. An
 * update's body is checked against the stored gateway by the service.
 */
export function transportProblems(
  body: TransportShape,
  options: { readonly requireCommand: boolean; readonly requireUrl: boolean },
): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  if (body.transport === "STDIO") {
    if (options.requireCommand && body.command === undefined)
      problems.push({ path: "command", message: "required when transport is STDIO" });
    if (body.url !== undefined)
      problems.push({ path: "url", message: "not used when transport is STDIO (the gateway runs command)" });
    if (body.auth_type !== undefined && body.auth_type !== null)
      problems.push({
        path: "auth_type",
        message: "not used when transport is STDIO: pass credentials in env",
      });
  } else if (body.transport !== undefined) {
    for (const field of STDIO_FIELDS) {
      if (body[field] !== undefined)
        problems.push({
          path: field,
          message: `only allowed when transport is STDIO, not ${String(body.transport)}`,
        });
    }
    if (options.requireUrl && body.url === undefined)
      problems.push({ path: "url", message: `required when transport is ${String(body.transport)}` });
    const scheme = URL_SCHEMES[String(body.transport)];
    if (scheme && typeof body.url === "string" && !scheme.pattern.test(body.url.trim()))
      problems.push({
        path: "url",
        message: `must be ${scheme.name} when transport is ${String(body.transport)}${
          body.transport === "WEBSOCKET" ? "" : " (a ws:// or wss:// URL needs transport WEBSOCKET)"
        }`,
      });
  }
  return problems;
}

function checkTransport(options: { readonly requireCommand: boolean; readonly requireUrl: boolean }) {
  return (body: TransportShape, ctx: z.RefinementCtx): void => {
    for (const { path, message } of transportProblems(body, options)) {
      ctx.addIssue({ code: "custom", path: [path], message });
    }
  };
}

/** Validates a gateway create body. */
export const gatewayCreateSchema: z.ZodType<GatewayCreate> = z
  .strictObject({
    ...fields,
    url: fields.url
      .describe("Required for SSE and STREAMABLEHTTP (http(s)) and WEBSOCKET (ws(s)); not used for STDIO.")
      .optional(),
    transport: fields.transport.default("STREAMABLEHTTP"),
    tags: fields.tags.default([]),
  })
  .superRefine(
    checkTransport({ requireCommand: true, requireUrl: true }),
  ) as unknown as z.ZodType<GatewayCreate>;

/** Validates a gateway update body. */
export const gatewayUpdateSchema: z.ZodType<GatewayUpdate> = z
  .strictObject(fields)
  .partial()
  .superRefine(
    checkTransport({ requireCommand: false, requireUrl: false }),
  ) as unknown as z.ZodType<GatewayUpdate>;

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
  /** STDIO: the program the gateway runs (null otherwise); `args`, `env`, `cwd` likewise. */
  readonly command: string | null;
  readonly args: string[] | null;
  /** Variable names with masked values: the values may be credentials. */
  readonly env: Record<string, string> | null;
  readonly cwd: string | null;
  readonly authType: string | null;
  readonly authValue: string | null;
  readonly tags: string[];
  readonly enabled: boolean;
  /** False once UNHEALTHY_THRESHOLD health checks in a row failed; true again when one answers. */
  readonly reachable: boolean;
  /** `disabled`, `unreachable`, `degraded` (reachable, but the last checks failed) or `healthy`. */
  readonly status: GatewayHealthStatus;
  /** When the upstream last answered (a health check, a discovery). */
  readonly lastSeen: string | null;
  /** Why the last health check or discovery failed (cleared when one succeeds); never credentials. */
  readonly lastError: string | null;
  /** Failed health checks (or discoveries) in a row. */
  readonly consecutiveFailures: number;
  readonly refreshIntervalSeconds: number | null;
  /** When its items were last discovered (registration, reconnecting update, refresh). */
  readonly lastRefreshAt: string | null;
  readonly sessionMode: GatewaySessionMode;
  readonly timeoutSeconds: number | null;
  /** Tools and prompts keep the upstream's own names (no slug prefix). */
  readonly exposeOriginalNames: boolean;
  /** A peer ContextForge gateway's federation id, reported at discovery (or by mDNS); null otherwise. */
  readonly federationId: string | null;
  readonly teamId: string | null;
  readonly ownerEmail: string | null;
  readonly visibility: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly createdBy: string | null;
  readonly modifiedBy: string | null;
  readonly version: number;
}

/** A gateway's health as the API shows it. */
export type GatewayHealthStatus = "disabled" | "unreachable" | "degraded" | "healthy";

function healthStatusOf(
  row: Pick<GatewaysTable, "enabled" | "reachable" | "consecutive_failures">,
): GatewayHealthStatus {
  if (!toBoolean(row.enabled)) return "disabled";
  if (!toBoolean(row.reachable)) return "unreachable";
  return row.consecutive_failures > 0 ? "degraded" : "healthy";
}

/**
 * A stored gateway row as the API shows it. `envNames` are the names of its (sealed) stdio
 * environment variables, shown with `masked` values.
 */
export function toGatewayRead(row: GatewaysTable, masked: string, envNames?: readonly string[]): GatewayRead {
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
    command: row.command ?? null,
    args: fromJson<string[] | null>(row.args ?? null, null),
    env: row.env ? Object.fromEntries((envNames ?? []).map((name) => [name, masked])) : null,
    cwd: row.cwd ?? null,
    authType: row.auth_type,
    authValue: row.auth_type ? masked : null,
    tags: fromJson<string[]>(row.tags, []),
    enabled: toBoolean(row.enabled),
    reachable: toBoolean(row.reachable),
    status: healthStatusOf(row),
    lastSeen: row.last_seen,
    lastError: row.last_error,
    consecutiveFailures: row.consecutive_failures,
    refreshIntervalSeconds: row.refresh_interval_seconds,
    lastRefreshAt: row.last_refresh_at ?? null,
    sessionMode: sessionModeOf(row.session_mode),
    timeoutSeconds: row.timeout_seconds ?? null,
    exposeOriginalNames: toBoolean(row.expose_original_names),
    federationId: row.federation_id ?? null,
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
