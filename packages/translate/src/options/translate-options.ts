import { CommandLineError, splitCommandLine } from "@contextforge/mcp-transport";
import type { HeaderToEnv } from "../http/header-env.js";
import type { TranslateLogger } from "../logger.js";
import { TranslateError } from "../translate-error.js";

/** Options of {@link startTranslate}. Only `stdio` is required. */
export interface TranslateOptions {
  /** The stdio MCP server: a command line (split like a shell, none is run) or argv. */
  readonly stdio: string | readonly string[];
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
  /** One child for all sessions, multiplexed by JSON-RPC id. Default false: a child per session. */
  readonly shared?: boolean;
  /**
   * Streamable HTTP without sessions (the 2026-07-28 wire and the 2025 stateless mode), served by
   * shared children (implies `shared`). Turns on `exposeStreamableHttp`; SSE and WebSocket cannot
   * be exposed with it.
   */
  readonly stateless?: boolean;
  /**
   * Request headers that become environment variables of the child, as `{ header: variable }`.
   * Sessions (or stateless requests) with different values get different children.
   */
  readonly headerToEnv?: Readonly<Record<string, string>>;
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
  /** Extra environment for the child, on top of this process's environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Grace between closing a child's stdin, SIGTERM and SIGKILL. Default 2 s. */
  readonly killGraceMs?: number;
  /** The bridge's own log lines. Default: none. */
  readonly logger?: TranslateLogger;
  /** What children write to stderr. Default: discarded. */
  readonly onChildStderr?: (text: string) => void;
}

/** {@link TranslateOptions} with every default applied, validated. */
export interface ResolvedTranslateOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly exposeSse: boolean;
  readonly exposeStreamableHttp: boolean;
  readonly exposeWs: boolean;
  readonly port: number;
  readonly host: string;
  readonly ssePath: string;
  readonly messagePath: string;
  readonly streamableHttpPath: string;
  readonly wsPath: string;
  readonly shared: boolean;
  readonly stateless: boolean;
  readonly headerToEnv: readonly HeaderToEnv[];
  readonly jsonResponse: boolean;
  readonly keepAliveMs: number;
  readonly corsOrigins: readonly string[];
  readonly maxSessions: number;
  readonly sessionIdleTimeoutMs: number;
  readonly env: Readonly<Record<string, string>>;
  readonly killGraceMs: number;
  readonly logger: TranslateLogger;
  readonly onChildStderr: ((text: string) => void) | undefined;
}

/** The health check path, reserved on every bridge. */
export const HEALTH_PATH = "/healthz";

/** `--stdio` split like a shell would; a malformed one is `invalid_options`. */
function commandWords(line: string): string[] {
  try {
    return splitCommandLine(line);
  } catch (error) {
    if (error instanceof CommandLineError) throw new TranslateError("invalid_options", error.message);
    throw error;
  }
}

/** Applies defaults and checks that the options work together; throws `invalid_options`. */
export function resolveTranslateOptions(options: TranslateOptions): ResolvedTranslateOptions {
  const argv = typeof options.stdio === "string" ? commandWords(options.stdio) : [...options.stdio];
  const [command, ...args] = argv;
  if (command === undefined || command === "") invalid("--stdio needs a command to run");
  const anyExposed = options.exposeSse || options.exposeStreamableHttp || options.exposeWs;
  const stateless = options.stateless ?? false;
  if (stateless && (options.exposeSse || options.exposeWs)) {
    invalid("--stateless serves streamable HTTP only (SSE and WebSocket connections are sessions)");
  }
  const resolved: ResolvedTranslateOptions = {
    command,
    args,
    exposeSse: options.exposeSse ?? (!anyExposed && !stateless),
    exposeStreamableHttp: options.exposeStreamableHttp ?? stateless,
    exposeWs: options.exposeWs ?? false,
    port: integerIn("--port", options.port ?? 8000, 0, 65_535),
    host: options.host ?? "127.0.0.1",
    ssePath: options.ssePath ?? "/sse",
    messagePath: options.messagePath ?? "/message",
    streamableHttpPath: options.streamableHttpPath ?? "/mcp",
    wsPath: options.wsPath ?? "/ws",
    shared: (options.shared ?? false) || stateless,
    stateless,
    headerToEnv: headerMappings(options.headerToEnv ?? {}),
    jsonResponse: options.jsonResponse ?? false,
    keepAliveMs: atLeastZero("--keepAlive", options.keepAliveMs ?? 30_000),
    corsOrigins: options.corsOrigins ?? [],
    maxSessions: integerIn("--max-sessions", options.maxSessions ?? 64, 1, 100_000),
    sessionIdleTimeoutMs: atLeastZero("--session-idle-timeout", options.sessionIdleTimeoutMs ?? 1_800_000),
    env: options.env ?? {},
    killGraceMs: atLeastZero("killGraceMs", options.killGraceMs ?? 2_000),
    logger: options.logger ?? (() => {}),
    onChildStderr: options.onChildStderr,
  };
  if (resolved.jsonResponse && !resolved.exposeStreamableHttp) {
    invalid("--jsonResponse applies to --expose-streamable-http only");
  }
  checkPaths(resolved);
  return resolved;
}

function checkPaths(options: ResolvedTranslateOptions): void {
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

function integerIn(name: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    invalid(`${name} must be an integer from ${min} to ${max} (got ${value})`);
  }
  return value;
}

function atLeastZero(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) invalid(`${name} must be a number >= 0 (got ${value})`);
  return value;
}

function invalid(message: string): never {
  throw new TranslateError("invalid_options", message);
}
