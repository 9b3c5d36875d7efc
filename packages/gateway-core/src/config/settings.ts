/** Log levels, lowest first. */
export type LogLevel = "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";

/** Where the gateway caches and shares state between instances. */
export type CacheType = "memory" | "redis" | "database" | "none";

/** Algorithms the gateway signs and verifies its JWTs with. */
export type JwtAlgorithm = "HS256" | "HS384" | "HS512" | "RS256" | "ES256";

/** Separators allowed between a gateway's slug and a tool name. */
export type ToolNameSeparator = "-" | "--" | "_" | ".";

/**
 * The validated, typed settings; the only place configuration is read from. Each field is the
 * environment variable of the same name (IBM ContextForge's names); `docs/configuration.md`
 * lists defaults and allowed values. Kept in sync with `settings-schema.ts`, whose declared
 * type checks it.
 */
export interface Settings {
  // server
  /** `APP_NAME`: product name shown in answers and the UI. */
  readonly APP_NAME: string;
  /** `HOST`: interface the HTTP server binds to, default 127.0.0.1. */
  readonly HOST: string;
  /** `PORT`: TCP port, default 4444 (0 picks a free one). */
  readonly PORT: number;
  /** `ENVIRONMENT`: development, production or test. */
  readonly ENVIRONMENT: "development" | "production" | "test";
  /** `APP_ROOT_PATH`: path prefix behind a reverse proxy ("" or like `/gateway`). */
  readonly APP_ROOT_PATH: string;

  // database
  /** `DATABASE_URL`, default `sqlite:///./mcp.db`. */
  readonly DATABASE_URL: string;
  /** `DB_POOL_SIZE`: pooled connections (PostgreSQL/MySQL), default 20. */
  readonly DB_POOL_SIZE: number;
  /** `DB_MAX_OVERFLOW`: extra connections under load, default 10. */
  readonly DB_MAX_OVERFLOW: number;
  /** `DB_POOL_TIMEOUT`: seconds to wait for a connection, default 30. */
  readonly DB_POOL_TIMEOUT: number;
  /** `DB_POOL_RECYCLE`: seconds before a connection is replaced, default 3600. */
  readonly DB_POOL_RECYCLE: number;
  /** `MCPGATEWAY_SKIP_MIGRATIONS`: skip migrations at start. */
  readonly MCPGATEWAY_SKIP_MIGRATIONS: boolean;

  // cache
  /** `CACHE_TYPE`: memory (default), redis, database or none. */
  readonly CACHE_TYPE: CacheType;
  /** `REDIS_URL`, used when `CACHE_TYPE` is redis. */
  readonly REDIS_URL: string;
  /** `CACHE_PREFIX`: prefix of every cache key and channel, default `mcpgw:`. */
  readonly CACHE_PREFIX: string;
  /** `CACHE_MAX_ITEMS`: entries the in-memory cache holds before evicting the least recent, default 1000. */
  readonly CACHE_MAX_ITEMS: number;
  /** `CACHE_TTL`: seconds a cache entry lives unless its writer says otherwise, default 3600. */
  readonly CACHE_TTL: number;
  /** `CACHE_MAX_ITEM_BYTES`: largest value the cache stores, default 10 MiB. */
  readonly CACHE_MAX_ITEM_BYTES: number;

  // logging
  /** `LOG_LEVEL`, default info. */
  readonly LOG_LEVEL: LogLevel;
  /** `LOG_FORMAT`: json (default) or text. */
  readonly LOG_FORMAT: "json" | "text";

  // authentication: tokens and secrets
  /** `JWT_SECRET_KEY`: HMAC key of the gateway's JWTs (secret). */
  readonly JWT_SECRET_KEY?: string | undefined;
  /** `JWT_ALGORITHM`, default HS256. */
  readonly JWT_ALGORITHM: JwtAlgorithm;
  /** `JWT_PUBLIC_KEY_PATH`: PEM public key for RS256/ES256 ("" when unused). */
  readonly JWT_PUBLIC_KEY_PATH: string;
  /** `JWT_PRIVATE_KEY_PATH`: PEM private key for RS256/ES256 ("" when unused). */
  readonly JWT_PRIVATE_KEY_PATH: string;
  /** `JWT_AUDIENCE`, default `mcpgateway-api`. */
  readonly JWT_AUDIENCE: string;
  /** `JWT_ISSUER`, default `mcpgateway`. */
  readonly JWT_ISSUER: string;
  /** `TOKEN_EXPIRY`: minutes a token issued by the gateway lives, default 10080 (a week). */
  readonly TOKEN_EXPIRY: number;
  /** `REQUIRE_TOKEN_EXPIRATION`: reject tokens without `exp`. */
  readonly REQUIRE_TOKEN_EXPIRATION: boolean;
  /** `REQUIRE_JTI`: reject tokens without `jti`. */
  readonly REQUIRE_JTI: boolean;
  /** `AUTH_ENCRYPTION_SECRET`: key that encrypts stored credentials (secret). */
  readonly AUTH_ENCRYPTION_SECRET?: string | undefined;
  /** `MCP_SESSION_PREVIOUS_SECRETS`: earlier AUTH_ENCRYPTION_SECRET values still opening MCP session ids (secret). */
  readonly MCP_SESSION_PREVIOUS_SECRETS: readonly string[];

  // authentication: users
  /** `AUTH_REQUIRED`: require authentication on the API and MCP endpoints. */
  readonly AUTH_REQUIRED: boolean;
  /** `AUTH_HEADER_NAME`, default `Authorization`. */
  readonly AUTH_HEADER_NAME: string;
  /** `BASIC_AUTH_USER`, default admin. */
  readonly BASIC_AUTH_USER: string;
  /** `BASIC_AUTH_PASSWORD` (secret; `changeme` outside production). */
  readonly BASIC_AUTH_PASSWORD: string;
  /** `API_ALLOW_BASIC_AUTH`: accept HTTP Basic on the API. */
  readonly API_ALLOW_BASIC_AUTH: boolean;
  /** `PLATFORM_ADMIN_EMAIL`: the bootstrap administrator's email. */
  readonly PLATFORM_ADMIN_EMAIL: string;
  /** `PLATFORM_ADMIN_PASSWORD` (secret; `changeme` outside production). */
  readonly PLATFORM_ADMIN_PASSWORD: string;
  /** `PLATFORM_ADMIN_FULL_NAME`. */
  readonly PLATFORM_ADMIN_FULL_NAME: string;
  /** `EMAIL_AUTH_ENABLED`: accept email and password logins. */
  readonly EMAIL_AUTH_ENABLED: boolean;
  /** `REQUIRE_USER_IN_DB`: refuse JWTs whose subject is not a stored user. */
  readonly REQUIRE_USER_IN_DB: boolean;
  /** `PASSWORD_MIN_LENGTH`. */
  readonly PASSWORD_MIN_LENGTH: number;
  /** `ARGON2ID_TIME_COST`: argon2id iterations. */
  readonly ARGON2ID_TIME_COST: number;
  /** `ARGON2ID_MEMORY_COST`: argon2id memory in KiB. */
  readonly ARGON2ID_MEMORY_COST: number;
  /** `ARGON2ID_PARALLELISM`: argon2id lanes. */
  readonly ARGON2ID_PARALLELISM: number;
  /** `MAX_FAILED_LOGIN_ATTEMPTS`: failed logins in a row that lock an account. */
  readonly MAX_FAILED_LOGIN_ATTEMPTS: number;
  /** `ACCOUNT_LOCKOUT_DURATION_MINUTES`. */
  readonly ACCOUNT_LOCKOUT_DURATION_MINUTES: number;
  /** `INVITATION_EXPIRY_DAYS`. */
  readonly INVITATION_EXPIRY_DAYS: number;
  /** `MAX_TEAMS_PER_USER`: teams one user may create. */
  readonly MAX_TEAMS_PER_USER: number;
  /** `TRUST_PROXY_AUTH`: trust PROXY_USER_HEADER as the caller's identity. */
  readonly TRUST_PROXY_AUTH: boolean;
  /** `PROXY_USER_HEADER`. */
  readonly PROXY_USER_HEADER: string;

  // HTTP API
  /** `CORS_ENABLED`: answer CORS requests from `ALLOWED_ORIGINS`. */
  readonly CORS_ENABLED: boolean;
  /** `ALLOWED_ORIGINS`: origins allowed by CORS (`*` for any). */
  readonly ALLOWED_ORIGINS: readonly string[];
  /** `CORS_ALLOW_CREDENTIALS`: let browsers send credentials on CORS requests. */
  readonly CORS_ALLOW_CREDENTIALS: boolean;
  /** `SECURITY_HEADERS_ENABLED`: send the security headers. */
  readonly SECURITY_HEADERS_ENABLED: boolean;
  /** `X_FRAME_OPTIONS`: DENY or SAMEORIGIN. */
  readonly X_FRAME_OPTIONS: "DENY" | "SAMEORIGIN";
  /** `HSTS_ENABLED`: Strict-Transport-Security over TLS. */
  readonly HSTS_ENABLED: boolean;
  /** `HSTS_MAX_AGE`, in seconds. */
  readonly HSTS_MAX_AGE: number;
  /** `HSTS_INCLUDE_SUBDOMAINS`. */
  readonly HSTS_INCLUDE_SUBDOMAINS: boolean;
  /** `MAX_REQUEST_BODY_BYTES`: largest request body accepted, default 5 MiB. */
  readonly MAX_REQUEST_BODY_BYTES: number;
  /** `MCP_SESSION_IDLE_TIMEOUT`: seconds an unused 2025-era session on `/mcp` lives, default 3600. */
  readonly MCP_SESSION_IDLE_TIMEOUT: number;
  /** `MCP_MAX_SESSIONS`: 2025-era sessions one replica holds (least recently used closed past it). */
  readonly MCP_MAX_SESSIONS: number;
  /** `MCP_STREAM_EVENT_HISTORY`: events kept per 2025-era SSE stream for `Last-Event-ID` resumption (0: off). */
  readonly MCP_STREAM_EVENT_HISTORY: number;
  /** `SSE_KEEPALIVE_INTERVAL`: seconds between keep-alive comments on `/sse` streams, default 30. */
  readonly SSE_KEEPALIVE_INTERVAL: number;
  /**
   * `WEBSOCKET_PING_INTERVAL`: seconds between pings to `/ws` clients (one that misses a pong is
   * dropped), default 30; 0 turns pings off.
   */
  readonly WEBSOCKET_PING_INTERVAL: number;
  /** `PAGINATION_DEFAULT_PAGE_SIZE`, default 50. */
  readonly PAGINATION_DEFAULT_PAGE_SIZE: number;
  /** `PAGINATION_MAX_PAGE_SIZE`, default 500. */
  readonly PAGINATION_MAX_PAGE_SIZE: number;
  /** `MCP_PAGE_SIZE`: items per page of the MCP list methods, default 1000. */
  readonly MCP_PAGE_SIZE: number;
  /** `MASKED_AUTH_VALUE`: shown instead of stored credentials in API answers. */
  readonly MASKED_AUTH_VALUE: string;
  /** `LEGACY_API_ENABLED`: keep ContextForge's legacy REST endpoints. */
  readonly LEGACY_API_ENABLED: boolean;
  /** `EXPOSE_ERROR_DETAILS`: include internal messages in 500 responses. */
  readonly EXPOSE_ERROR_DETAILS: boolean;

  // features
  /** `MCPGATEWAY_UI_ENABLED`: serve the admin UI. */
  readonly MCPGATEWAY_UI_ENABLED: boolean;
  /** `MCPGATEWAY_ADMIN_API_ENABLED`: serve the admin API. */
  readonly MCPGATEWAY_ADMIN_API_ENABLED: boolean;
  /** `MCPGATEWAY_A2A_ENABLED`: register and call A2A agents. */
  readonly MCPGATEWAY_A2A_ENABLED: boolean;
  /**
   * `MCPGATEWAY_REVERSE_PROXY_ENABLED`: accept reverse proxies on `/reverse-proxy/ws` and serve
   * `/reverse-proxy/sessions`, default off.
   */
  readonly MCPGATEWAY_REVERSE_PROXY_ENABLED: boolean;

  // upstreams
  /** `GATEWAY_TOOL_NAME_SEPARATOR`: between gateway slug and tool name, default `-`. */
  readonly GATEWAY_TOOL_NAME_SEPARATOR: ToolNameSeparator;
  /** `TOOL_TIMEOUT`: seconds a tool call may take, default 60. */
  readonly TOOL_TIMEOUT: number;
  /** `MCP_INPUT_REQUIRED_TIMEOUT`: seconds a 2026 client has to answer `input_required`, default 300. */
  readonly MCP_INPUT_REQUIRED_TIMEOUT: number;
  /** `HEALTH_CHECK_INTERVAL`: seconds between upstream health checks, default 60 (0: off). */
  readonly HEALTH_CHECK_INTERVAL: number;
  /** `HEALTH_CHECK_TIMEOUT`: seconds one health check may take, default 10. */
  readonly HEALTH_CHECK_TIMEOUT: number;
  /** `UNHEALTHY_THRESHOLD`: failed checks before an upstream is marked unreachable, default 3. */
  readonly UNHEALTHY_THRESHOLD: number;
  /** `UNREACHABLE_ITEMS`: hide (default) or show (flagged) the items of unreachable upstreams. */
  readonly UNREACHABLE_ITEMS: "hide" | "show";
  /** `REDIS_LEADER_TTL`: seconds the leader's lease lasts (Redis or database), default 15. */
  readonly REDIS_LEADER_TTL: number;
  /** `REDIS_LEADER_HEARTBEAT_INTERVAL`: seconds between lease renewals, default 5. */
  readonly REDIS_LEADER_HEARTBEAT_INTERVAL: number;
  /** `SKIP_SSL_VERIFY`: do not verify upstream TLS certificates. */
  readonly SKIP_SSL_VERIFY: boolean;
  /** `STDIO_MAX_PROCESSES`: stdio upstream processes at once, over all gateways, default 64. */
  readonly STDIO_MAX_PROCESSES: number;
  /** `STDIO_MAX_PROCESSES_PER_SERVER`: processes of one stdio gateway at once, default 4. */
  readonly STDIO_MAX_PROCESSES_PER_SERVER: number;
  /** `STDIO_IDLE_TIMEOUT`: seconds an unused stdio upstream process lives, default 300. */
  readonly STDIO_IDLE_TIMEOUT: number;

  // federation
  /** `FEDERATION_ID`: this gateway's federation id; empty: generated once and stored in the database. */
  readonly FEDERATION_ID: string;
  /** `FEDERATION_MAX_HOPS`: gateways a request may have passed before this one, default 3. */
  readonly FEDERATION_MAX_HOPS: number;
  /** `FEDERATION_PUBLIC_URL`: base URL peers reach this gateway at (mDNS); empty: from HOST and port. */
  readonly FEDERATION_PUBLIC_URL: string;
  /** `MDNS_ENABLED`: advertise `_mcp._tcp` on the local network, default off. */
  readonly MDNS_ENABLED: boolean;
  /** `MDNS_DISCOVERY_ENABLED`: register `_mcp._tcp` peers found on the local network, default off. */
  readonly MDNS_DISCOVERY_ENABLED: boolean;
  /** `MDNS_AUTO_APPROVE`: register found peers enabled instead of pending approval, default off. */
  readonly MDNS_AUTO_APPROVE: boolean;
  /** `MDNS_SERVICE_NAME`: the advertised DNS-SD instance name; empty: `<APP_NAME> <id prefix>`. */
  readonly MDNS_SERVICE_NAME: string;
}
