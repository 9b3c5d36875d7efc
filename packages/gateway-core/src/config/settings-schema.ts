import { z } from "zod";

const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;

/** Boolean env values as ContextForge accepts them. */
const envBoolean = z
  .enum(["true", "false", "1", "0", "yes", "no", "on", "off"], {
    error: "must be one of true, false, 1, 0, yes, no, on, off",
  })
  .transform((value) => ["true", "1", "yes", "on"].includes(value));

function positiveInt(fallback: number, description: string) {
  return z.coerce
    .number({ error: "must be a number" })
    .int("must be an integer")
    .min(1, "must be 1 or more")
    .default(fallback)
    .describe(description);
}

const schema = z.object({
  HOST: z.string().min(1).default("127.0.0.1").describe("Interface the HTTP server binds to."),
  PORT: z.coerce
    .number({ error: "must be a number" })
    .int("must be an integer")
    .min(0, "must be between 0 and 65535")
    .max(65535, "must be between 0 and 65535")
    .default(4444)
    .describe("TCP port of the HTTP server (0 picks a free one)."),
  ENVIRONMENT: z
    .enum(["development", "production", "test"])
    .default("development")
    .describe("Deployment environment; production enforces strong secrets."),
  DATABASE_URL: z
    .string()
    .min(1)
    .default("sqlite:///./mcp.db")
    .describe("Where the gateway stores its state: sqlite:///./mcp.db, postgresql://..., mysql://..."),
  DB_POOL_SIZE: positiveInt(20, "Connections kept in the PostgreSQL/MySQL pool."),
  DB_MAX_OVERFLOW: z.coerce
    .number({ error: "must be a number" })
    .int("must be an integer")
    .min(0, "must be 0 or more")
    .default(10)
    .describe("Extra connections the pool may open under load, beyond DB_POOL_SIZE."),
  DB_POOL_TIMEOUT: positiveInt(30, "Seconds to wait for a pooled connection before failing."),
  DB_POOL_RECYCLE: positiveInt(3600, "Seconds after which a pooled connection is replaced."),
  MCPGATEWAY_SKIP_MIGRATIONS: envBoolean
    .default(false)
    .describe("Do not apply database migrations at start (run `mcpgateway migrate` instead)."),
  LOG_LEVEL: z
    .string()
    .transform((value) => value.toLowerCase())
    .pipe(z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(", ")}` }))
    .default("info")
    .describe("Minimum level of log lines written to stderr."),
  LOG_FORMAT: z.enum(["json", "text"]).default("json").describe("Log line format."),
  EXPOSE_ERROR_DETAILS: envBoolean
    .default(false)
    .describe("Include internal error messages in 500 responses (never in production)."),
});

/** Log levels, lowest first. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The validated, typed settings; the only place configuration is read from. */
export interface Settings {
  /** Interface the HTTP server binds to (`HOST`, default 127.0.0.1). */
  readonly HOST: string;
  /** TCP port (`PORT`, default 4444; 0 picks a free one). */
  readonly PORT: number;
  /** `ENVIRONMENT`: development, production or test. */
  readonly ENVIRONMENT: "development" | "production" | "test";
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
  /** `LOG_LEVEL`, default info. */
  readonly LOG_LEVEL: LogLevel;
  /** `LOG_FORMAT`: json (default) or text. */
  readonly LOG_FORMAT: "json" | "text";
  /** `EXPOSE_ERROR_DETAILS`: include internal messages in 500 responses. */
  readonly EXPOSE_ERROR_DETAILS: boolean;
}

/** What the schema accepts: raw environment-style string values by variable name. */
export type SettingsInput = Readonly<Record<string, string | undefined>>;

/**
 * The zod schema of the gateway's settings, read from environment variables (names follow
 * IBM ContextForge). Grows with each feature; `docs/configuration.md` is generated from it.
 */
export const settingsSchema: z.ZodType<Settings> = schema;

/** Every environment variable the settings read. */
export const SETTINGS_VARIABLES: readonly string[] = Object.keys(schema.shape);
