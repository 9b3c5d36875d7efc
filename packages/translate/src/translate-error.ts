/** Why {@link TranslateError} was thrown. */
export type TranslateErrorCode =
  /** The options cannot work together (the CLI exits 2). */
  | "invalid_options"
  /** `maxSessions` sessions are open. */
  | "session_limit"
  /** No stdio child could be had for the session (start failure, crash backoff, cap). */
  | "child_unavailable"
  /** The gRPC server cannot be reached or offers no server reflection at start-up (the CLI exits 1). */
  | "grpc_unavailable";

/** A local error of the translate bridge; mapped to HTTP once, at the edge. */
export class TranslateError extends Error {
  readonly code: TranslateErrorCode;
  /** For `child_unavailable` after a crash: when a new child may start (epoch ms). */
  readonly retryAt: number | undefined;

  constructor(
    code: TranslateErrorCode,
    message: string,
    options: { cause?: unknown; retryAt?: number } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "TranslateError";
    this.code = code;
    this.retryAt = options.retryAt;
  }
}
