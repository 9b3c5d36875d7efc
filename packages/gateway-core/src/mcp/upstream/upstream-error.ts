/**
 * Why talking to an upstream MCP server failed:
 * - `unreachable`: no connection (refused, DNS failure, reset), or the URL or headers cannot be sent;
 * - `timeout`: the deadline passed before the upstream answered;
 * - `unauthorized`: the upstream answered HTTP 401 or 403;
 * - `protocol`: the upstream answered, but not as an MCP server should (HTTP errors, bad JSON-RPC,
 *   unusable content, endless pagination).
 */
export type UpstreamErrorCode = "unreachable" | "timeout" | "unauthorized" | "protocol";

/**
 * A failure of the gateway's I/O with an upstream MCP server. Its message names the upstream by
 * {@link redactUpstreamUrl} (never credentials or header values); the underlying error is its `cause`.
 * A local error: services map it to a `GatewayError` at the edge.
 */
export class UpstreamError extends Error {
  readonly code: UpstreamErrorCode;
  /** The upstream URL, redacted: scheme, host, port and path only. */
  readonly url: string;

  constructor(code: UpstreamErrorCode, url: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "UpstreamError";
    this.code = code;
    this.url = url;
  }
}

/**
 * The URL as safe to log: scheme, host, port and path. User info and the query string are dropped,
 * since upstreams sometimes carry API keys there. Unparseable input yields a placeholder.
 */
export function redactUpstreamUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return "<invalid URL>";
  }
}
