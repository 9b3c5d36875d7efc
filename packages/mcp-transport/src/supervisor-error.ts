/**
 * Why {@link StdioSupervisor.acquire} refused a lease:
 * - `capacity`: the per-server or total process cap is reached and no idle process can be stopped;
 * - `backoff`: the server crashed recently and may not be restarted before `retryAt`;
 * - `start_failed`: the command could not be spawned (see `cause`);
 * - `closed`: the supervisor is closed.
 */
export type SupervisorErrorCode = "capacity" | "backoff" | "start_failed" | "closed";

/** Options of {@link SupervisorError}. */
export interface SupervisorErrorOptions {
  readonly serverId: string;
  /** For `backoff`: when (epoch milliseconds) the next start is allowed. */
  readonly retryAt?: number;
  readonly cause?: unknown;
}

/** A local error of the stdio supervisor; map it to a wire error at the edge. */
export class SupervisorError extends Error {
  override readonly name = "SupervisorError";
  readonly code: SupervisorErrorCode;
  readonly serverId: string;
  /** For `backoff`: when (epoch milliseconds) the next start is allowed. */
  readonly retryAt: number | undefined;

  constructor(code: SupervisorErrorCode, message: string, options: SupervisorErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.serverId = options.serverId;
    this.retryAt = options.retryAt;
  }

  /** For `backoff`: milliseconds until the next start is allowed (0 when it already is). */
  get retryAfterMs(): number | undefined {
    return this.retryAt === undefined ? undefined : Math.max(0, this.retryAt - Date.now());
  }
}
