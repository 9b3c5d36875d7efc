import { z } from "zod";
import { envBoolean, envEnum, envInteger, envList, isOrigin } from "./env-values.js";
import type { Settings } from "./settings.js";
import { crossFieldProblems, DEVELOPMENT_PASSWORD, MIN_SECRET_LENGTH } from "./settings-rules.js";

export type { CacheType, JwtAlgorithm, LogLevel, Settings, ToolNameSeparator } from "./settings.js";

const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
const DEV_PASSWORD_NOTE = `Outside production it defaults to \`${DEVELOPMENT_PASSWORD}\`; production requires a real one.`;
const SECRET_NOTE =
  `In production required, at least ${MIN_SECRET_LENGTH} characters; elsewhere, when unset, ` +
  "one is generated once into `.contextforge/secrets.json`.";

const server = {
  APP_NAME: z.string().default("ContextForge").describe("Product name shown in API answers and the UI."),
  HOST: z.string().min(1).default("127.0.0.1").describe("Interface the HTTP server binds to."),
  PORT: envInteger(0, 65535).default(4444).describe("TCP port of the HTTP server (0 picks a free one)."),
  ENVIRONMENT: envEnum(["development", "production", "test"], { caseInsensitive: true })
    .default("development")
    .describe("Deployment environment; production requires strong secrets and real passwords."),
  APP_ROOT_PATH: z
    .string()
    .transform((value) => value.trim().replace(/\/+$/, ""))
    .pipe(z.string().regex(/^(\/[^\s/]+)*$/, "must be empty or a path like /gateway"))
    .default("")
    .describe("Path prefix when served behind a reverse proxy under a sub-path, e.g. `/gateway`."),
};

const database = {
  DATABASE_URL: z
    .string()
    .regex(
      /^(sqlite|postgres|postgresql|mysql|mariadb)(\+[a-z0-9_]+)?:\/\//i,
      "must be a URL like sqlite:///./mcp.db, postgresql://user:pass@host/db or mysql://user:pass@host/db",
    )
    .default("sqlite:///./mcp.db")
    .describe(
      "Where the gateway stores its state: `sqlite:///./mcp.db` (relative), `sqlite:////abs/path.db`, " +
        "`postgresql://user:pass@host:5432/db`, `mysql://user:pass@host:3306/db` (MariaDB too).",
    ),
  DB_POOL_SIZE: envInteger(1)
    .default(20)
    .describe(
      "Connections kept in the PostgreSQL/MySQL pool. Lower than ContextForge's 200: one Node process " +
        "needs few, and 200 exhausts a default PostgreSQL.",
    ),
  DB_MAX_OVERFLOW: envInteger(0)
    .default(10)
    .describe("Extra connections the pool may open under load, beyond DB_POOL_SIZE."),
  DB_POOL_TIMEOUT: envInteger(1)
    .default(30)
    .describe("Seconds to wait for a pooled connection before failing."),
  DB_POOL_RECYCLE: envInteger(1)
    .default(3600)
    .describe("Seconds after which a pooled connection is replaced."),
  MCPGATEWAY_SKIP_MIGRATIONS: envBoolean
    .default(false)
    .describe("Do not apply database migrations at start (run `mcpgateway migrate` instead)."),
};

const cache = {
  CACHE_TYPE: envEnum(["memory", "redis", "database", "none"], { caseInsensitive: true })
    .default("memory")
    .describe(
      "Cache and cross-instance message bus: `memory` (one instance), `redis` (several instances), " +
        "`database`, or `none`.",
    ),
  REDIS_URL: z
    .string()
    .regex(/^(rediss?|unix):\/\//, "must be a redis://, rediss:// or unix:// URL")
    .default("redis://localhost:6379/0")
    .describe("Redis server (`redis://`, `rediss://` or `unix://`), used when CACHE_TYPE is `redis`."),
  CACHE_PREFIX: z
    .string()
    .default("mcpgw:")
    .describe("Prefix of every cache key and pub/sub channel; lets several gateways share one Redis."),
  CACHE_MAX_ITEMS: envInteger(1)
    .default(1000)
    .describe("Entries the in-memory cache holds; the least recently used is evicted beyond it."),
  CACHE_TTL: envInteger(1)
    .default(3600)
    .describe("Seconds a cache entry lives unless the code writing it chooses another lifetime."),
  CACHE_MAX_ITEM_BYTES: envInteger(1)
    .default(10 * 1024 * 1024)
    .describe("Largest value, in bytes (UTF-8), the cache stores; a larger one is not cached."),
};

const logging = {
  LOG_LEVEL: envEnum(LOG_LEVELS, { caseInsensitive: true })
    .default("info")
    .describe("Minimum level of log lines written to stderr."),
  LOG_FORMAT: envEnum(["json", "text"], { caseInsensitive: true })
    .default("json")
    .describe("Log line format: JSON lines, or human-readable `text`."),
};

const tokens = {
  JWT_SECRET_KEY: z
    .string()
    .optional()
    .describe(`Secret that signs and verifies the gateway's JWTs (HS256/384/512). ${SECRET_NOTE}`),
  JWT_ALGORITHM: envEnum(["HS256", "HS384", "HS512", "RS256", "ES256"])
    .default("HS256")
    .describe("JWT signing algorithm; RS256 and ES256 need JWT_PUBLIC_KEY_PATH and JWT_PRIVATE_KEY_PATH."),
  JWT_PUBLIC_KEY_PATH: z
    .string()
    .default("")
    .describe("PEM file with the public key, for RS256/ES256 (relative to the working directory)."),
  JWT_PRIVATE_KEY_PATH: z
    .string()
    .default("")
    .describe("PEM file with the private key, for RS256/ES256 (relative to the working directory)."),
  JWT_AUDIENCE: z
    .string()
    .default("mcpgateway-api")
    .describe("`aud` claim of issued tokens, required on verify."),
  JWT_ISSUER: z.string().default("mcpgateway").describe("`iss` claim of issued tokens, required on verify."),
  TOKEN_EXPIRY: envInteger(1)
    .default(10080)
    .describe(
      "Minutes a token issued by the gateway stays valid. Default a week (ContextForge's long-standing " +
        "default; its newest releases use 20 minutes): lower it where tokens may leak.",
    ),
  REQUIRE_TOKEN_EXPIRATION: envBoolean.default(true).describe("Reject tokens without an `exp` claim."),
  REQUIRE_JTI: envBoolean
    .default(true)
    .describe("Reject tokens without a `jti` claim (needed for revocation)."),
  AUTH_ENCRYPTION_SECRET: z
    .string()
    .optional()
    .describe(`Key that encrypts stored upstream credentials and OAuth tokens. ${SECRET_NOTE}`),
  MCP_SESSION_PREVIOUS_SECRETS: envList
    .default([])
    .describe(
      "Earlier AUTH_ENCRYPTION_SECRET values whose MCP session ids (2025 clients) every replica still " +
        "accepts, comma-separated or a JSON array: set while rotating the secret, remove after an hour " +
        "(session ids are sealed with a key derived from AUTH_ENCRYPTION_SECRET).",
    ),
};

const users = {
  AUTH_REQUIRED: envBoolean.default(true).describe("Require authentication on the API and MCP endpoints."),
  AUTH_HEADER_NAME: z
    .string()
    .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, "must be an HTTP header name")
    .default("Authorization")
    .describe("Request header that carries the bearer token or Basic credentials."),
  BASIC_AUTH_USER: z
    .string()
    .default("admin")
    .describe("User name for HTTP Basic, when API_ALLOW_BASIC_AUTH is on."),
  BASIC_AUTH_PASSWORD: z
    .string()
    .optional()
    .describe(`Password for HTTP Basic, when API_ALLOW_BASIC_AUTH is on. ${DEV_PASSWORD_NOTE}`),
  API_ALLOW_BASIC_AUTH: envBoolean
    .default(false)
    .describe("Accept HTTP Basic credentials on the API (prefer tokens)."),
  PLATFORM_ADMIN_EMAIL: z
    .string()
    .regex(/^[^@\s]+@[^@\s]+$/, "must be an email address")
    .default("admin@example.com")
    .describe("Email of the platform administrator created at first start."),
  PLATFORM_ADMIN_PASSWORD: z
    .string()
    .optional()
    .describe(`Password of the platform administrator created at first start. ${DEV_PASSWORD_NOTE}`),
  PLATFORM_ADMIN_FULL_NAME: z
    .string()
    .default("Platform Administrator")
    .describe("Full name of the platform administrator."),
  EMAIL_AUTH_ENABLED: envBoolean
    .default(true)
    .describe("Accept email and password logins (`POST /auth/email/login`)."),
  REQUIRE_USER_IN_DB: envBoolean
    .default(false)
    .describe(
      "Refuse JWTs whose subject is not a stored user. Off: such a token acts as a user with no team, who sees public items only.",
    ),
  PASSWORD_MIN_LENGTH: envInteger(8, 128).default(12).describe("Shortest password accepted."),
  ARGON2ID_TIME_COST: envInteger(1, 20).default(3).describe("argon2id iterations for password hashes."),
  ARGON2ID_MEMORY_COST: envInteger(8192, 1_048_576)
    .default(65_536)
    .describe("argon2id memory for password hashes, in KiB (64 MiB)."),
  ARGON2ID_PARALLELISM: envInteger(1, 16).default(1).describe("argon2id lanes for password hashes."),
  MAX_FAILED_LOGIN_ATTEMPTS: envInteger(1, 100)
    .default(5)
    .describe("Failed logins in a row that lock an account."),
  ACCOUNT_LOCKOUT_DURATION_MINUTES: envInteger(1, 10_080)
    .default(30)
    .describe("How long a locked account stays locked."),
  INVITATION_EXPIRY_DAYS: envInteger(1, 365)
    .default(7)
    .describe("How long a team invitation can be accepted."),
  MAX_TEAMS_PER_USER: envInteger(1, 10_000).default(50).describe("Teams one user may create."),
  TRUST_PROXY_AUTH: envBoolean
    .default(false)
    .describe(
      "Trust PROXY_USER_HEADER from an authenticating reverse proxy as the caller's identity (only behind such a proxy).",
    ),
  PROXY_USER_HEADER: z
    .string()
    .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, "must be an HTTP header name")
    .default("X-Authenticated-User")
    .describe("Header carrying the user's email when TRUST_PROXY_AUTH is on."),
};

const api = {
  CORS_ENABLED: envBoolean.default(true).describe("Answer CORS requests from ALLOWED_ORIGINS."),
  ALLOWED_ORIGINS: envList
    .refine((origins) => origins.every(isOrigin), {
      error: (issue) =>
        `${(issue.input as string[])
          .filter((origin) => !isOrigin(origin))
          .map((origin) => JSON.stringify(origin))
          .join(", ")}: not an origin like https://app.example.com (scheme, host, optional port; or *)`,
    })
    .default([])
    .describe(
      'Origins allowed by CORS, comma-separated or a JSON array (`["https://a.example"]`); `*` allows any.',
    ),
  CORS_ALLOW_CREDENTIALS: envBoolean
    .default(true)
    .describe(
      "Let browsers send credentials (cookies, Authorization) on CORS requests from ALLOWED_ORIGINS.",
    ),
  SECURITY_HEADERS_ENABLED: envBoolean
    .default(true)
    .describe(
      "Send X-Content-Type-Options, X-Frame-Options, Referrer-Policy, a Content-Security-Policy and (over TLS) HSTS.",
    ),
  X_FRAME_OPTIONS: envEnum(["DENY", "SAMEORIGIN"]).default("DENY").describe("X-Frame-Options value."),
  HSTS_ENABLED: envBoolean
    .default(true)
    .describe(
      "Send Strict-Transport-Security on requests that arrived over TLS (or X-Forwarded-Proto: https).",
    ),
  HSTS_MAX_AGE: envInteger(0).default(31_536_000).describe("HSTS max-age, in seconds (one year)."),
  HSTS_INCLUDE_SUBDOMAINS: envBoolean.default(true).describe("Add includeSubDomains to HSTS."),
  MAX_REQUEST_BODY_BYTES: envInteger(1024)
    .default(5_242_880)
    .describe(
      "Largest request body accepted, in bytes (5 MiB); larger ones get 413. No ContextForge equivalent.",
    ),
  MCP_SESSION_IDLE_TIMEOUT: envInteger(60, 604_800)
    .default(3600)
    .describe(
      "Seconds a 2025-era MCP session on /mcp may stay unused before it is closed; an id unused that long on every replica is no longer resumed.",
    ),
  MCP_MAX_SESSIONS: envInteger(1)
    .default(10_000)
    .describe("2025-era MCP sessions one replica holds; past it the least recently used one is closed."),
  MCP_STREAM_EVENT_HISTORY: envInteger(0, 100_000)
    .default(1000)
    .describe(
      "Events kept per SSE stream of a 2025-era MCP session, so a client that lost a stream resumes it with Last-Event-ID (on any replica when CACHE_TYPE=redis); 0 turns resumption off.",
    ),
  SSE_KEEPALIVE_INTERVAL: envInteger(1)
    .default(30)
    .describe(
      "Seconds between keep-alive comments on the legacy HTTP+SSE stream (`/sse`), so proxies keep it open.",
    ),
  WEBSOCKET_PING_INTERVAL: envInteger(0)
    .default(30)
    .describe(
      "Seconds between WebSocket pings to clients of `/ws`; a client that has not answered the previous ping by the next one is disconnected. 0 turns pings off.",
    ),
  PAGINATION_DEFAULT_PAGE_SIZE: envInteger(1)
    .default(50)
    .describe("Items per page when a list request names none."),
  PAGINATION_MAX_PAGE_SIZE: envInteger(1)
    .default(500)
    .describe("Largest page size a list request may ask for."),
  MCP_PAGE_SIZE: envInteger(1)
    .default(1000)
    .describe(
      "Items per page of the MCP lists (`tools/list`, `resources/list`, `resources/templates/list`, " +
        "`prompts/list`); later pages are reached with the signed `nextCursor`. The default answers " +
        "most virtual servers in one page, as ContextForge (Python) does, for clients that never " +
        "follow `nextCursor`.",
    ),
  MASKED_AUTH_VALUE: z
    .string()
    .default("*****")
    .describe("Shown instead of stored credentials (passwords, tokens, headers) in API answers."),
  LEGACY_API_ENABLED: envBoolean
    .default(true)
    .describe("Keep serving ContextForge's legacy REST endpoints, for existing clients."),
  EXPOSE_ERROR_DETAILS: envBoolean
    .default(false)
    .describe("Include internal error messages in 500 responses (never in production)."),
};

const features = {
  MCPGATEWAY_UI_ENABLED: envBoolean.default(false).describe("Serve the admin UI at `/admin`."),
  MCPGATEWAY_ADMIN_API_ENABLED: envBoolean.default(false).describe("Serve the admin API the UI uses."),
  MCPGATEWAY_A2A_ENABLED: envBoolean.default(true).describe("Register A2A agents and expose them as tools."),
  MCPGATEWAY_REVERSE_PROXY_ENABLED: envBoolean
    .default(false)
    .describe(
      "Accept reverse proxies (`mcpreverseproxy`) on `/reverse-proxy/ws` and serve " +
        "`/reverse-proxy/sessions`; off, every `/reverse-proxy/` path answers 404. Off by default, " +
        "as in ContextForge since 1.0.",
    ),
};

const upstreams = {
  GATEWAY_TOOL_NAME_SEPARATOR: envEnum(["-", "--", "_", "."])
    .default("-")
    .describe("Separator between a gateway's slug and a tool name in exposed tool names."),
  TOOL_TIMEOUT: envInteger(1)
    .default(60)
    .describe(
      "Seconds a call to an upstream (tools/call, resources/read, prompts/get, completion) may take " +
        "before it fails; restarted by each progress notification, stopped while the client answers " +
        "the upstream's sampling, elicitation or roots request. A gateway's `timeout_seconds` overrides it.",
    ),
  MCP_INPUT_REQUIRED_TIMEOUT: envInteger(1)
    .default(300)
    .describe(
      "Seconds a 2026-07-28 client has to answer an upstream's sampling, elicitation or roots " +
        "request (`input_required`) before the waiting call is cancelled. TOOL_TIMEOUT does not " +
        "run meanwhile.",
    ),
  HEALTH_CHECK_INTERVAL: envInteger(0)
    .default(60)
    .describe(
      "Seconds between health checks of upstream gateways (an MCP `ping` to each enabled one, on the " +
        "elected leader only; also when due refreshes run). 0 turns health checks and periodic refreshes off.",
    ),
  HEALTH_CHECK_TIMEOUT: envInteger(1)
    .default(10)
    .describe("Seconds one health check may take (at most HEALTH_CHECK_INTERVAL)."),
  UNHEALTHY_THRESHOLD: envInteger(1)
    .default(3)
    .describe(
      "Failed health checks in a row before an upstream is marked unreachable (its calls then fail " +
        "fast; one answered check makes it reachable again).",
    ),
  UNREACHABLE_ITEMS: envEnum(["hide", "show"], { caseInsensitive: true })
    .default("hide")
    .describe(
      "Tools, resources and prompts of an unreachable upstream in MCP lists: `hide` them, or `show` " +
        'them flagged with `_meta["io.contextforge/reachable"]: false`. Calls fail fast either way.',
    ),
  REDIS_LEADER_TTL: envInteger(1)
    .default(15)
    .describe(
      "Seconds the leader's lease lasts (in Redis with CACHE_TYPE `redis`, else in the database): " +
        "another instance takes over health checks this long after the leader stopped renewing it.",
    ),
  REDIS_LEADER_HEARTBEAT_INTERVAL: envInteger(1)
    .default(5)
    .describe("Seconds between renewals of the leader's lease (less than REDIS_LEADER_TTL)."),
  SKIP_SSL_VERIFY: envBoolean
    .default(false)
    .describe("Do not verify upstream TLS certificates (testing only: it allows interception)."),
  STDIO_MAX_PROCESSES: envInteger(1)
    .default(64)
    .describe("stdio upstream processes the gateway runs at once, over all stdio gateways."),
  STDIO_MAX_PROCESSES_PER_SERVER: envInteger(1)
    .default(4)
    .describe("Processes of one stdio gateway at once (its shared process plus discovery runs)."),
  STDIO_IDLE_TIMEOUT: envInteger(1)
    .default(300)
    .describe(
      "Seconds a stdio upstream process may sit unused before it is stopped (restarted on next use).",
    ),
};

const federation = {
  FEDERATION_ID: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9._:-]{0,64}$/, "must be at most 64 letters, digits and . _ : -")
    .default("")
    .describe(
      "This gateway's identity among federated gateways (the `via` hop marker, list `_meta`, the mDNS " +
        "TXT record). Empty: a UUID generated at first start and stored in the database, so it survives " +
        "restarts and the replicas of one database share it. Set it only to pin or migrate an identity; " +
        "two gateways must never share one.",
    ),
  FEDERATION_MAX_HOPS: envInteger(0, 32)
    .default(3)
    .describe(
      "Gateways a request may have passed before this one (the length of its `via` chain); a longer " +
        "chain is refused with JSON-RPC error -32004. 0 refuses every request forwarded by a gateway.",
    ),
  FEDERATION_PUBLIC_URL: z
    .string()
    .trim()
    .transform((value) => value.replace(/\/+$/, ""))
    .pipe(z.string().regex(/^(https?:\/\/[^\s/]+(\/[^\s]*)?)?$/, "must be empty or an http(s):// URL"))
    .default("")
    .describe(
      "Base URL peers reach this gateway at, e.g. `https://gateway.example.com` (`/mcp` is appended), " +
        "advertised over mDNS. Empty: `http://HOST:<port>`; with a wildcard HOST (0.0.0.0, ::) peers " +
        "use the address the advertisement came from.",
    ),
  MDNS_ENABLED: envBoolean
    .default(false)
    .describe("Advertise the gateway on the local network as DNS-SD service `_mcp._tcp` (multicast DNS)."),
  MDNS_DISCOVERY_ENABLED: envBoolean
    .default(false)
    .describe(
      "Browse the local network for `_mcp._tcp` services and register each one found (not this gateway, " +
        "not one registered already) as a gateway tagged `mdns`, disabled pending approval. Replaces " +
        "ContextForge's removed FEDERATION_DISCOVERY.",
    ),
  MDNS_AUTO_APPROVE: envBoolean
    .default(false)
    .describe(
      "Register peers found by mDNS enabled, their items discovered and public, instead of pending " +
        "approval (only on a trusted network). A peer that cannot be discovered (it wants credentials, " +
        "it is down) is still registered pending, with the reason.",
    ),
  MDNS_SERVICE_NAME: z
    .string()
    .trim()
    .max(63, "must be at most 63 characters (a DNS label)")
    .default("")
    .describe(
      "DNS-SD instance name the gateway advertises. Empty: `<APP_NAME> <first 8 characters of its federation id>`.",
    ),
};

const GROUPS = [
  { title: "Server", fields: server },
  { title: "Database", fields: database },
  { title: "Cache", fields: cache },
  { title: "Logging", fields: logging },
  { title: "Tokens and secrets", fields: tokens },
  { title: "Users and sign-in", fields: users },
  { title: "HTTP API", fields: api },
  { title: "Features", fields: features },
  { title: "Upstreams and federation", fields: upstreams },
  { title: "Federation and mDNS", fields: federation },
];

const fields = z.object({
  ...server,
  ...database,
  ...cache,
  ...logging,
  ...tokens,
  ...users,
  ...api,
  ...features,
  ...upstreams,
  ...federation,
});

// Compile-time check that the schema has no field `Settings` lacks (the annotation on
// `settingsSchema` checks the other direction and every type).
const noFieldOutsideSettings: Record<Exclude<keyof z.output<typeof fields>, keyof Settings>, never> = {};
void noFieldOutsideSettings;

const schema = fields.transform((parsed, ctx): Settings => {
  const problems = crossFieldProblems(parsed);
  for (const { variable, message } of problems) {
    ctx.issues.push({ code: "custom", path: [variable], message, input: parsed[variable] });
  }
  if (problems.length > 0) return z.NEVER;
  return {
    ...parsed,
    BASIC_AUTH_PASSWORD: parsed.BASIC_AUTH_PASSWORD ?? DEVELOPMENT_PASSWORD,
    PLATFORM_ADMIN_PASSWORD: parsed.PLATFORM_ADMIN_PASSWORD ?? DEVELOPMENT_PASSWORD,
  };
});

/** What the schema accepts: raw environment-style string values by variable name. */
export type SettingsInput = Readonly<Record<string, string | undefined>>;

/**
 * The zod schema of the gateway's settings, read from environment variables (names follow
 * IBM ContextForge). Grows with each feature; `docs/configuration.md` is generated from it.
 */
export const settingsSchema: z.ZodType<Settings> = schema;

/** Every environment variable the settings read. */
export const SETTINGS_VARIABLES: readonly string[] = Object.keys(fields.shape);

/** The variables grouped by topic, in documentation order. */
export const SETTINGS_GROUPS: readonly { readonly title: string; readonly variables: readonly string[] }[] =
  GROUPS.map(({ title, fields: group }) => ({ title, variables: Object.keys(group) }));

/** Variables whose values are never printed in full. */
export const SECRET_VARIABLES: ReadonlySet<string> = new Set([
  "JWT_SECRET_KEY",
  "AUTH_ENCRYPTION_SECRET",
  "MCP_SESSION_PREVIOUS_SECRETS",
  "BASIC_AUTH_PASSWORD",
  "PLATFORM_ADMIN_PASSWORD",
]);

/**
 * JSON Schema (draft 2020-12) of the settings as the gateway holds them (numbers and booleans
 * typed, lists as arrays), with each variable's description and default.
 */
export function settingsJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(fields, {
      io: "output",
      override: ({ jsonSchema }) => {
        // zod bounds every integer by MAX_SAFE_INTEGER; that says nothing to a reader.
        if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
      },
    }),
    title: "ContextForge gateway settings",
    description:
      "Environment variables of the mcpgateway command (or a .env file). Values are strings in the " +
      "environment; booleans accept true/false, 1/0, yes/no, on/off; lists accept a JSON array or " +
      "comma-separated values.",
  };
}
