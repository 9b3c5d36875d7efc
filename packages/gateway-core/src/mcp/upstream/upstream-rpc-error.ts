/**
 * A JSON-RPC error response from an upstream MCP server (such as `-32602` invalid params), kept
 * verbatim so the gateway can relay `code`, `message` and `data` to the client that made the call.
 * Unlike {@link UpstreamError}, the exchange itself worked: the upstream session stays usable.
 */
export class UpstreamRpcError extends Error {
  /** The JSON-RPC error code the upstream sent. */
  readonly code: number;
  /** The error's `data` member, as the upstream sent it (absent when it sent none). */
  readonly data: unknown;
  /** The upstream URL, redacted (see `redactUpstreamUrl`). */
  readonly url: string;

  constructor(code: number, message: string, data: unknown, url: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "UpstreamRpcError";
    this.code = code;
    this.data = data;
    this.url = url;
  }
}
