import type { HeaderToEnv } from "../http/header-env.js";
import type { TranslateLogger } from "../logger.js";
import { atLeastZero, integerIn, invalid } from "./option-checks.js";

/** How a bridge is put on the network: transports, paths, port and limits. */
export interface ExposeOptions {
  /** Serve the 2024-11-05 HTTP+SSE transport. Default: true when no `expose*` option is set. */
  readonly exposeSse?: boolean;
  /** Serve streamable HTTP (2025 sessions). */
  readonly exposeStreamableHttp?: boolean;
  /** Serve MCP over WebSocket. */
  readonly exposeWs?: boolean;
  /** TCP port; 0 picks a free one. Default 8000. */
  readonly port?: number;
  /** Interface to bind. Default 127.0.0.1. */
  readonly host?: string;
  /** Default `/sse`. */
  readonly ssePath?: string;
  /** Default `/message`. */
  readonly messagePath?: string;
  /** Default `/mcp`. */
  readonly streamableHttpPath?: string;
  /** Default `/ws`. */
  readonly wsPath?: string;
  /** Streamable HTTP: answer with JSON bodies instead of SSE streams. */
  readonly jsonResponse?: boolean;
  /** SSE keep-alive comments and WebSocket pings, this often; 0 disables. Default 30 s. */
  readonly keepAliveMs?: number;
  /** Origins allowed cross-origin (CORS); `*` for any. */
  readonly corsOrigins?: readonly string[];
  /** Open sessions at once; the next gets 503. Default 64. */
  readonly maxSessions?: number;
  /**
   * A streamable HTTP session idle this long ends, and a shared child no session or request has
   * used for this long stops (0: never). Default 30 minutes.
   */
  readonly sessionIdleTimeoutMs?: number;
  /** The bridge's own log lines. Default: none. */
  readonly logger?: TranslateLogger;
}

/** {@link ExposeOptions} with every default applied, validated. */
export interface ResolvedExposeOptions {
  readonly exposeSse: boolean;
  readonly exposeStreamableHttp: boolean;
  readonly exposeWs: boolean;
  readonly port: number;
  readonly host: string;
  readonly ssePath: string;
  readonly messagePath: string;
  readonly streamableHttpPath: string;
  readonly wsPath: string;
  /** Streamable HTTP without sessions (stdio bridges only). */
  readonly stateless: boolean;
  /** `--header-to-env` mappings (stdio bridges only). */
  readonly headerToEnv: readonly HeaderToEnv[];
  readonly jsonResponse: boolean;
  readonly keepAliveMs: number;
  readonly corsOrigins: readonly string[];
  readonly maxSessions: number;
  readonly sessionIdleTimeoutMs: number;
  readonly logger: TranslateLogger;
}

/** The health check path, reserved on every bridge. */
export const HEALTH_PATH = "/healthz";

/**
 * Applies defaults and checks that the exposing options work together; throws `invalid_options`.
 * `stateless` and `headerToEnv` only exist for stdio bridges.
 */
export function resolveExposeOptions(
  options: ExposeOptions,
  stdioOnly: { readonly stateless: boolean; readonly headerToEnv: Readonly<Record<string, string>> } = {
    stateless: false,
    headerToEnv: {},
  },
): ResolvedExposeOptions {
  const { stateless } = stdioOnly;
  const anyExposed = options.exposeSse || options.exposeStreamableHttp || options.exposeWs;
  const resolved: ResolvedExposeOptions = {
    exposeSse: options.exposeSse ?? (!anyExposed && !stateless),
    exposeStreamableHttp: options.exposeStreamableHttp ?? stateless,
    exposeWs: options.exposeWs ?? false,
    port: integerIn("--port", options.port ?? 8000, 0, 65_535),
    host: options.host ?? "127.0.0.1",
    ssePath: options.ssePath ?? "/sse",
    messagePath: options.messagePath ?? "/message",
    streamableHttpPath: options.streamableHttpPath ?? "/mcp",
    wsPath: options.wsPath ?? "/ws",
    stateless,
    headerToEnv: headerMappings(stdioOnly.headerToEnv),
    jsonResponse: options.jsonResponse ?? false,
    keepAliveMs: atLeastZero("--keepAlive", options.keepAliveMs ?? 30_000),
    corsOrigins: options.corsOrigins ?? [],
    maxSessions: integerIn("--max-sessions", options.maxSessions ?? 64, 1, 100_000),
    sessionIdleTimeoutMs: atLeastZero("--session-idle-timeout", options.sessionIdleTimeoutMs ?? 1_800_000),
    logger: options.logger ?? (() => {}),
  };
  if (resolved.jsonResponse && !resolved.exposeStreamableHttp) {
    invalid("--jsonResponse applies to --expose-streamable-http only");
  }
  checkPaths(resolved);
  return resolved;
}

function checkPaths(options: ResolvedExposeOptions): void {
  const paths: [string, string][] = [];
  if (options.exposeSse) paths.push(["--ssePath", options.ssePath], ["--messagePath", options.messagePath]);
  if (options.exposeStreamableHttp) paths.push(["--streamableHttpPath", options.streamableHttpPath]);
  if (options.exposeWs) paths.push(["--wsPath", options.wsPath]);
  const seen = new Map<string, string>([[HEALTH_PATH, "the health check"]]);
  for (const [name, path] of paths) {
    if (!/^\/[^?#\s]*$/.test(path)) invalid(`${name} must be a path starting with "/" (got "${path}")`);
    const other = seen.get(path);
    if (other !== undefined) invalid(`${name} "${path}" is already used by ${other}`);
    seen.set(path, name);
  }
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Headers that carry the transport itself; mapping them would leak or mix up sessions. */
const RESERVED_HEADERS = new Set(["mcp-session-id", "host", "content-length", "content-type", "cookie"]);

function headerMappings(map: Readonly<Record<string, string>>): HeaderToEnv[] {
  const mappings: HeaderToEnv[] = [];
  const variables = new Set<string>();
  for (const [header, env] of Object.entries(map)) {
    if (!HEADER_NAME.test(header)) invalid(`--header-to-env: "${header}" is not an HTTP header name`);
    if (RESERVED_HEADERS.has(header.toLowerCase())) invalid(`--header-to-env: ${header} cannot be mapped`);
    if (!ENV_NAME.test(env)) invalid(`--header-to-env: "${env}" is not an environment variable name`);
    if (variables.has(env)) invalid(`--header-to-env: ${env} is set by two headers`);
    variables.add(env);
    mappings.push({ header: header.toLowerCase(), env });
  }
  return mappings;
}
