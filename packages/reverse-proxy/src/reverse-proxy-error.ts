/** What went wrong, for code that handles reverse proxy errors. */
export type ReverseProxyErrorCode =
  | "invalid_options"
  | "local_server_failed"
  | "refused"
  | "retries_exhausted";

/** A local error of the reverse proxy (bad options, a local server that cannot start, a refusal, retries exhausted). */
export class ReverseProxyError extends Error {
  readonly code: ReverseProxyErrorCode;

  constructor(code: ReverseProxyErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ReverseProxyError";
    this.code = code;
  }
}
