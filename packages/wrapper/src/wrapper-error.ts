/** Why {@link WrapperError} was thrown. */
export type WrapperErrorCode =
  /** The options cannot work (the CLI exits 2). */
  | "invalid_options"
  /** The request was not answered within the timeout. */
  | "timeout"
  /** No HTTP answer from the remote: connection refused, DNS, TLS. */
  | "remote_unreachable"
  /** The remote's stream or session ended before it answered the request. */
  | "connection_lost"
  /** The wrapper is shutting down. */
  | "closed";

/** A local error of the wrapper; mapped to a JSON-RPC error once, at the stdio edge. */
export class WrapperError extends Error {
  readonly code: WrapperErrorCode;

  constructor(code: WrapperErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "WrapperError";
    this.code = code;
  }
}

/** The remote answered an HTTP request with an error status: a wire error, not a local one. */
export class RemoteHttpError extends Error {
  /** The HTTP status. */
  readonly status: number;
  /** The start of the response body (a JSON-RPC error object, for a well-behaved MCP server). */
  readonly body: string;

  constructor(status: number, body: string) {
    super(`the remote MCP server answered HTTP ${status}`);
    this.name = "RemoteHttpError";
    this.status = status;
    this.body = body;
  }
}
