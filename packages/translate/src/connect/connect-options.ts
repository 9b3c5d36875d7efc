import { type BackoffOptions, type ResolvedBackoff, resolveBackoff } from "@contextforge/mcp-transport";
import type { TranslateLogger } from "../logger.js";
import { TranslateError } from "../translate-error.js";
import type { RemoteTransport } from "./remote-link.js";

/** Options of {@link startConnect}. `url` and `transport` are required. */
export interface ConnectOptions {
  /** The remote MCP server: `http(s)://` for SSE and streamable HTTP, `ws(s)://` for WebSocket. */
  readonly url: string | URL;
  readonly transport: RemoteTransport;
  /** Sent on every request to the remote (and on the WebSocket upgrade). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent as `Authorization: Bearer <token>`. */
  readonly oauth2Bearer?: string;
  /** WebSocket pings to the remote, this often; a missed pong reconnects. 0 disables. Default 30 s. */
  readonly keepAliveMs?: number;
  /** Consecutive failed attempts to reach the remote before giving up; 0 (the default): never. */
  readonly maxRetries?: number;
  /** Delays between attempts. Default 250 ms doubling up to 30 s. */
  readonly backoff?: BackoffOptions;
  /** The bridge's own log lines (never MCP traffic). Default: none. */
  readonly logger?: TranslateLogger;
  /** Where the local client's messages come from. Default `process.stdin`. */
  readonly input?: NodeJS.ReadableStream;
  /** Where messages to the local client go. Default `process.stdout`. */
  readonly output?: NodeJS.WritableStream;
}

/** {@link ConnectOptions} with defaults applied, validated. */
export interface ResolvedConnectOptions {
  readonly url: URL;
  readonly transport: RemoteTransport;
  readonly headers: Readonly<Record<string, string>>;
  readonly keepAliveMs: number;
  readonly maxRetries: number;
  readonly backoff: ResolvedBackoff;
  readonly logger: TranslateLogger;
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
}

/** Headers the transports set themselves from the session state. */
const TRANSPORT_HEADERS = new Set([
  "mcp-session-id",
  "mcp-protocol-version",
  "content-type",
  "accept",
  "host",
  "content-length",
]);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Applies defaults and checks the options; throws a `TranslateError` (`invalid_options`). */
export function resolveConnectOptions(options: ConnectOptions): ResolvedConnectOptions {
  const flag = `--connect-${options.transport === "websocket" ? "ws" : options.transport}`;
  const url = parseUrl(options.url, options.transport, flag);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (!TOKEN.test(name)) invalid(`--header name "${name}" is not a valid HTTP header name`);
    if (TRANSPORT_HEADERS.has(name.toLowerCase())) {
      invalid(`--header ${name} is set by the transport itself and cannot be given`);
    }
    if (/[\r\n\0]/.test(value)) invalid(`--header ${name} has a line break or NUL in its value`);
    headers[name] = value;
  }
  if (options.oauth2Bearer !== undefined) {
    if (Object.keys(headers).some((name) => name.toLowerCase() === "authorization")) {
      invalid("--oauth2Bearer and --header Authorization cannot both be given");
    }
    if (options.oauth2Bearer.trim() === "" || /[\s\0]/.test(options.oauth2Bearer)) {
      invalid("--oauth2Bearer needs a token without spaces");
    }
    headers.Authorization = `Bearer ${options.oauth2Bearer}`;
  }
  const maxRetries = options.maxRetries ?? 0;
  if (!Number.isSafeInteger(maxRetries) || maxRetries < 0) invalid("--max-retries must be an integer >= 0");
  const keepAliveMs = options.keepAliveMs ?? 30_000;
  if (!Number.isFinite(keepAliveMs) || keepAliveMs < 0) invalid("--keepAlive must be a number >= 0");
  let backoff: ResolvedBackoff;
  try {
    backoff = resolveBackoff(options.backoff);
  } catch (error) {
    invalid(`retry backoff: ${(error as Error).message}`);
  }
  return {
    url,
    transport: options.transport,
    headers,
    keepAliveMs,
    maxRetries,
    backoff,
    logger: options.logger ?? (() => {}),
    input: options.input ?? process.stdin,
    output: options.output ?? process.stdout,
  };
}

/**
 * Parses a `--connect-*` URL. WebSocket takes `ws(s)://` (`http(s)://` is mapped to it); the HTTP
 * transports take `http(s)://`.
 */
function parseUrl(raw: string | URL, transport: RemoteTransport, flag: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    invalid(`${flag} needs an absolute URL (got "${String(raw)}")`);
  }
  if (transport === "websocket") {
    if (url.protocol === "http:" || url.protocol === "https:") {
      url = new URL(url.href.replace(/^http/, "ws"));
    }
    if (url.protocol !== "ws:" && url.protocol !== "wss:") invalid(`${flag} needs a ws:// or wss:// URL`);
  } else if (url.protocol !== "http:" && url.protocol !== "https:") {
    invalid(`${flag} needs an http:// or https:// URL`);
  }
  if (url.username !== "" || url.password !== "") {
    invalid(`${flag}: put credentials in --header or --oauth2Bearer, not in the URL`);
  }
  return url;
}

function invalid(message: string): never {
  throw new TranslateError("invalid_options", message);
}
