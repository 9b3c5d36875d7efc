import { describe, expect, it } from "vitest";
import { loadSettings, SettingsError } from "./load-settings.js";

const STRONG = "s".repeat(32);
const PRODUCTION = {
  ENVIRONMENT: "production",
  JWT_SECRET_KEY: STRONG,
  AUTH_ENCRYPTION_SECRET: STRONG,
  BASIC_AUTH_PASSWORD: "a-real-basic-password",
  PLATFORM_ADMIN_PASSWORD: "a-real-admin-password",
};

/** The problem lines loadSettings reports for `env`. */
function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadSettings(env);
  } catch (error) {
    if (error instanceof SettingsError) return error.problems;
    throw error;
  }
  throw new Error("expected the settings to be invalid");
}

describe("loadSettings", () => {
  it("applies ContextForge's defaults when nothing is set", () => {
    const settings = loadSettings({});
    expect(settings).toMatchObject({ HOST: "127.0.0.1", PORT: 4444, LOG_LEVEL: "info", LOG_FORMAT: "json" });
    expect(Object.isFrozen(settings)).toBe(true);
  });

  it("has a sensible default for every setting", () => {
    expect(loadSettings({})).toEqual({
      APP_NAME: "ContextForge",
      HOST: "127.0.0.1",
      PORT: 4444,
      ENVIRONMENT: "development",
      APP_ROOT_PATH: "",
      DATABASE_URL: "sqlite:///./mcp.db",
      DB_POOL_SIZE: 20,
      DB_MAX_OVERFLOW: 10,
      DB_POOL_TIMEOUT: 30,
      DB_POOL_RECYCLE: 3600,
      MCPGATEWAY_SKIP_MIGRATIONS: false,
      CACHE_TYPE: "memory",
      REDIS_URL: "redis://localhost:6379/0",
      CACHE_PREFIX: "mcpgw:",
      CACHE_MAX_ITEMS: 1000,
      CACHE_TTL: 3600,
      CACHE_MAX_ITEM_BYTES: 10_485_760,
      LOG_LEVEL: "info",
      LOG_FORMAT: "json",
      JWT_ALGORITHM: "HS256",
      JWT_PUBLIC_KEY_PATH: "",
      JWT_PRIVATE_KEY_PATH: "",
      JWT_AUDIENCE: "mcpgateway-api",
      JWT_ISSUER: "mcpgateway",
      TOKEN_EXPIRY: 10080,
      REQUIRE_TOKEN_EXPIRATION: true,
      REQUIRE_JTI: true,
      MCP_SESSION_PREVIOUS_SECRETS: [],
      AUTH_REQUIRED: true,
      AUTH_HEADER_NAME: "Authorization",
      BASIC_AUTH_USER: "admin",
      BASIC_AUTH_PASSWORD: "changeme",
      API_ALLOW_BASIC_AUTH: false,
      PLATFORM_ADMIN_EMAIL: "admin@example.com",
      PLATFORM_ADMIN_PASSWORD: "changeme",
      PLATFORM_ADMIN_FULL_NAME: "Platform Administrator",
      EMAIL_AUTH_ENABLED: true,
      REQUIRE_USER_IN_DB: false,
      PASSWORD_MIN_LENGTH: 12,
      ARGON2ID_TIME_COST: 3,
      ARGON2ID_MEMORY_COST: 65_536,
      ARGON2ID_PARALLELISM: 1,
      MAX_FAILED_LOGIN_ATTEMPTS: 5,
      ACCOUNT_LOCKOUT_DURATION_MINUTES: 30,
      INVITATION_EXPIRY_DAYS: 7,
      MAX_TEAMS_PER_USER: 50,
      TRUST_PROXY_AUTH: false,
      PROXY_USER_HEADER: "X-Authenticated-User",
      CORS_ENABLED: true,
      ALLOWED_ORIGINS: [],
      CORS_ALLOW_CREDENTIALS: true,
      SECURITY_HEADERS_ENABLED: true,
      X_FRAME_OPTIONS: "DENY",
      HSTS_ENABLED: true,
      HSTS_MAX_AGE: 31_536_000,
      HSTS_INCLUDE_SUBDOMAINS: true,
      MAX_REQUEST_BODY_BYTES: 5_242_880,
      MCP_SESSION_IDLE_TIMEOUT: 3600,
      MCP_MAX_SESSIONS: 10_000,
      MCP_STREAM_EVENT_HISTORY: 1000,
      SSE_KEEPALIVE_INTERVAL: 30,
      WEBSOCKET_PING_INTERVAL: 30,
      PAGINATION_DEFAULT_PAGE_SIZE: 50,
      PAGINATION_MAX_PAGE_SIZE: 500,
      MCP_PAGE_SIZE: 1000,
      MASKED_AUTH_VALUE: "*****",
      LEGACY_API_ENABLED: true,
      EXPOSE_ERROR_DETAILS: false,
      MCPGATEWAY_UI_ENABLED: false,
      MCPGATEWAY_ADMIN_API_ENABLED: false,
      MCPGATEWAY_A2A_ENABLED: true,
      MCPGATEWAY_REVERSE_PROXY_ENABLED: false,
      GATEWAY_TOOL_NAME_SEPARATOR: "-",
      TOOL_TIMEOUT: 60,
      MCP_INPUT_REQUIRED_TIMEOUT: 300,
      HEALTH_CHECK_INTERVAL: 60,
      HEALTH_CHECK_TIMEOUT: 10,
      UNHEALTHY_THRESHOLD: 3,
      UNREACHABLE_ITEMS: "hide",
      REDIS_LEADER_TTL: 15,
      REDIS_LEADER_HEARTBEAT_INTERVAL: 5,
      SKIP_SSL_VERIFY: false,
      STDIO_MAX_PROCESSES: 64,
      STDIO_MAX_PROCESSES_PER_SERVER: 4,
      STDIO_IDLE_TIMEOUT: 300,
      FEDERATION_ID: "",
      FEDERATION_MAX_HOPS: 3,
      FEDERATION_PUBLIC_URL: "",
      MDNS_ENABLED: false,
      MDNS_DISCOVERY_ENABLED: false,
      MDNS_AUTO_APPROVE: false,
      MDNS_SERVICE_NAME: "",
    });
  });

  it("leaves secrets unset unless given", () => {
    const settings = loadSettings({});
    expect(settings.JWT_SECRET_KEY).toBeUndefined();
    expect(settings.AUTH_ENCRYPTION_SECRET).toBeUndefined();
    expect(loadSettings({ JWT_SECRET_KEY: "short-is-fine-in-dev" }).JWT_SECRET_KEY).toBe(
      "short-is-fine-in-dev",
    );
  });

  it("reads and coerces environment values, treating empty strings as unset", () => {
    const settings = loadSettings({
      PORT: "8080",
      HOST: "",
      LOG_LEVEL: "DEBUG",
      EXPOSE_ERROR_DETAILS: "yes",
      CACHE_TYPE: "Redis",
      TOKEN_EXPIRY: "20",
      APP_ROOT_PATH: "/gateway/",
    });
    expect(settings).toMatchObject({
      PORT: 8080,
      HOST: "127.0.0.1",
      LOG_LEVEL: "debug",
      EXPOSE_ERROR_DETAILS: true,
      CACHE_TYPE: "redis",
      TOKEN_EXPIRY: 20,
      APP_ROOT_PATH: "/gateway",
    });
  });

  it("accepts every boolean spelling ContextForge accepts, and refuses others", () => {
    for (const word of ["true", "1", "yes", "on", "TRUE", " On "]) {
      expect(loadSettings({ SKIP_SSL_VERIFY: word }).SKIP_SSL_VERIFY).toBe(true);
    }
    for (const word of ["false", "0", "no", "off", "False"]) {
      expect(loadSettings({ AUTH_REQUIRED: word }).AUTH_REQUIRED).toBe(false);
    }
    expect(problemsOf({ AUTH_REQUIRED: "maybe", CORS_ENABLED: "2" })).toEqual([
      'AUTH_REQUIRED: must be one of true, false, 1, 0, yes, no, on, off (got "maybe")',
      'CORS_ENABLED: must be one of true, false, 1, 0, yes, no, on, off (got "2")',
    ]);
  });

  it("reads lists comma-separated or as a JSON array", () => {
    expect(
      loadSettings({ ALLOWED_ORIGINS: "https://a.example, http://localhost:3000," }).ALLOWED_ORIGINS,
    ).toEqual(["https://a.example", "http://localhost:3000"]);
    const settings = loadSettings({ ALLOWED_ORIGINS: '["https://a.example", "*"]' });
    expect(settings.ALLOWED_ORIGINS).toEqual(["https://a.example", "*"]);
    expect(Object.isFrozen(settings.ALLOWED_ORIGINS)).toBe(true);
  });

  it("refuses a malformed list and entries that are not origins", () => {
    expect(problemsOf({ ALLOWED_ORIGINS: '["https://a.example", 3]' })[0]).toMatch(
      /^ALLOWED_ORIGINS: must be a JSON array of strings or a comma-separated list/,
    );
    expect(problemsOf({ ALLOWED_ORIGINS: "[not json" })[0]).toMatch(/^ALLOWED_ORIGINS: must be a JSON array/);
    expect(
      problemsOf({ ALLOWED_ORIGINS: "https://a.example,example.com,https://b.example/path" })[0],
    ).toMatch(/^ALLOWED_ORIGINS: "example.com", "https:\/\/b.example\/path": not an origin/);
  });

  it("allows only -, --, _ and . as the tool name separator", () => {
    for (const separator of ["-", "--", "_", "."]) {
      expect(loadSettings({ GATEWAY_TOOL_NAME_SEPARATOR: separator }).GATEWAY_TOOL_NAME_SEPARATOR).toBe(
        separator,
      );
    }
    expect(problemsOf({ GATEWAY_TOOL_NAME_SEPARATOR: "/" })).toEqual([
      'GATEWAY_TOOL_NAME_SEPARATOR: must be one of -, --, _, . (got "/")',
    ]);
  });

  it("allows the supported JWT algorithms only, and asks for key files with RS256/ES256", () => {
    expect(loadSettings({ JWT_ALGORITHM: "HS512" }).JWT_ALGORITHM).toBe("HS512");
    expect(problemsOf({ JWT_ALGORITHM: "none" })).toEqual([
      'JWT_ALGORITHM: must be one of HS256, HS384, HS512, RS256, ES256 (got "none")',
    ]);
    expect(problemsOf({ JWT_ALGORITHM: "RS256", JWT_PUBLIC_KEY_PATH: "public.pem" })).toEqual([
      "JWT_PRIVATE_KEY_PATH: required when JWT_ALGORITHM is RS256",
    ]);
    const settings = loadSettings({
      JWT_ALGORITHM: "ES256",
      JWT_PUBLIC_KEY_PATH: "p.pem",
      JWT_PRIVATE_KEY_PATH: "k.pem",
    });
    expect(settings.JWT_ALGORITHM).toBe("ES256");
  });

  it("checks URLs, paths, names and numbers", () => {
    const problems = problemsOf({
      DATABASE_URL: "oracle://db",
      REDIS_URL: "localhost:6379",
      APP_ROOT_PATH: "gateway",
      AUTH_HEADER_NAME: "X Auth",
      PLATFORM_ADMIN_EMAIL: "admin",
      TOOL_TIMEOUT: "0",
      DB_POOL_SIZE: "1.5",
      CACHE_TYPE: "memcached",
    });
    expect(problems.map((line) => line.split(":")[0])).toEqual([
      "APP_ROOT_PATH",
      "DATABASE_URL",
      "DB_POOL_SIZE",
      "CACHE_TYPE",
      "REDIS_URL",
      "AUTH_HEADER_NAME",
      "PLATFORM_ADMIN_EMAIL",
      "TOOL_TIMEOUT",
    ]);
    expect(problems).toContain('TOOL_TIMEOUT: must be 1 or more (got "0")');
    expect(problems).toContain('DB_POOL_SIZE: must be an integer (got "1.5")');
  });

  it("checks rules that span two variables", () => {
    expect(problemsOf({ PAGINATION_DEFAULT_PAGE_SIZE: "600" })).toEqual([
      'PAGINATION_DEFAULT_PAGE_SIZE: must not exceed PAGINATION_MAX_PAGE_SIZE (500) (got "600")',
    ]);
    expect(problemsOf({ HEALTH_CHECK_TIMEOUT: "30", HEALTH_CHECK_INTERVAL: "20" })).toEqual([
      'HEALTH_CHECK_TIMEOUT: must not exceed HEALTH_CHECK_INTERVAL (20) (got "30")',
    ]);
    // 0 turns health checks off: the timeout then bounds nothing.
    expect(
      loadSettings({ HEALTH_CHECK_TIMEOUT: "30", HEALTH_CHECK_INTERVAL: "0" }).HEALTH_CHECK_INTERVAL,
    ).toBe(0);
    expect(problemsOf({ REDIS_LEADER_TTL: "5", REDIS_LEADER_HEARTBEAT_INTERVAL: "5" })).toEqual([
      'REDIS_LEADER_HEARTBEAT_INTERVAL: must be less than REDIS_LEADER_TTL (5) (got "5")',
    ]);
  });

  it("reports one line per invalid variable, naming it", () => {
    const problems = problemsOf({ PORT: "99999", LOG_FORMAT: "xml", EXPOSE_ERROR_DETAILS: "maybe" });
    expect(problems).toHaveLength(3);
    expect(problems.find((p) => p.startsWith("PORT:"))).toContain("between 0 and 65535");
    expect(problems.find((p) => p.startsWith("LOG_FORMAT:"))).toContain('"xml"');
    expect(problems.find((p) => p.startsWith("EXPOSE_ERROR_DETAILS:"))).toContain("true, false");
  });

  it("never prints a secret or a URL password in a problem", () => {
    const problems = problemsOf({
      ...PRODUCTION,
      JWT_SECRET_KEY: "hunter2-is-short",
      DATABASE_URL: "oracle://user:topsecret@db/x",
    });
    const text = problems.join("\n");
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("topsecret");
    expect(text).toContain("oracle://user:*****@db/x");
  });

  describe("in production", () => {
    it("starts with strong secrets and real passwords", () => {
      const settings = loadSettings(PRODUCTION);
      expect(settings).toMatchObject({ ENVIRONMENT: "production", JWT_SECRET_KEY: STRONG });
    });

    it("stops when secrets or passwords are missing, naming each", () => {
      expect(problemsOf({ ENVIRONMENT: "production" })).toEqual([
        "JWT_SECRET_KEY: required in production: set a random secret of at least 32 characters",
        "AUTH_ENCRYPTION_SECRET: required in production: set a random secret of at least 32 characters",
        "BASIC_AUTH_PASSWORD: required in production (the development default is not used there)",
        "PLATFORM_ADMIN_PASSWORD: required in production (the development default is not used there)",
      ]);
    });

    it("stops on secrets shorter than 32 characters and on the default passwords", () => {
      expect(
        problemsOf({
          ...PRODUCTION,
          JWT_SECRET_KEY: "s".repeat(31),
          AUTH_ENCRYPTION_SECRET: "my-test-salt",
          PLATFORM_ADMIN_PASSWORD: "changeme",
        }),
      ).toEqual([
        'JWT_SECRET_KEY: too weak for production: 31 characters, at least 32 needed (got "*****")',
        'AUTH_ENCRYPTION_SECRET: too weak for production: 12 characters, at least 32 needed (got "*****")',
        'PLATFORM_ADMIN_PASSWORD: must not be the default "changeme" in production (got "*****")',
      ]);
    });

    it("needs no JWT secret when tokens are signed with a key pair", () => {
      const { JWT_SECRET_KEY: _unused, ...withoutJwtSecret } = PRODUCTION;
      const settings = loadSettings({
        ...withoutJwtSecret,
        JWT_ALGORITHM: "RS256",
        JWT_PUBLIC_KEY_PATH: "public.pem",
        JWT_PRIVATE_KEY_PATH: "private.pem",
      });
      expect(settings.JWT_SECRET_KEY).toBeUndefined();
    });
  });
});
