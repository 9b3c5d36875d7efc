import type { UpstreamPool, UpstreamPoolOptions } from "./upstream-pool-types.js";
import { UpstreamSessionPool } from "./upstream-session-pool.js";

export type {
  DownstreamSessionKey,
  UpstreamCallContext,
  UpstreamNotification,
  UpstreamProgress,
  UpstreamServerRequest,
} from "./upstream-call-context.js";
export type {
  UpstreamEndpoint,
  UpstreamHttpEndpoint,
  UpstreamSessionMode,
  UpstreamStdioEndpoint,
} from "./upstream-endpoint.js";
export { UpstreamError, type UpstreamErrorCode } from "./upstream-error.js";
export type {
  UpstreamCallToolResult,
  UpstreamCompleteResult,
  UpstreamGetPromptResult,
  UpstreamNotificationEvent,
  UpstreamPingOptions,
  UpstreamPingResult,
  UpstreamPool,
  UpstreamPoolOptions,
  UpstreamReadResourceResult,
} from "./upstream-pool-types.js";
export { UpstreamRpcError } from "./upstream-rpc-error.js";
export type { UpstreamStdioCommand, UpstreamStdioOptions } from "./upstream-stdio-connection.js";
export type { WatchedNotificationMethod } from "./upstream-watch.js";

/** Default for {@link UpstreamPoolOptions.idleTimeoutMs}. */
export const DEFAULT_UPSTREAM_IDLE_TIMEOUT_MS = 300_000;

/**
 * Creates the pool that forwards `tools/call`, `resources/read`, `prompts/get` and
 * `completion/complete` to upstreams, opening sessions lazily and reusing them: shared ones per
 * (gateway, revision), and one per downstream session where the endpoint's `sessionMode` asks
 * for it. See {@link UpstreamPool}.
 *
 * @throws {RangeError} when an option is out of range.
 */
export function createUpstreamPool(options: UpstreamPoolOptions): UpstreamPool {
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_UPSTREAM_IDLE_TIMEOUT_MS;
  const maxSessions = options.maxSessionsPerUpstream ?? 1;
  if (!(options.defaultTimeoutMs > 0 && Number.isFinite(options.defaultTimeoutMs)))
    throw new RangeError("defaultTimeoutMs must be a positive number");
  if (!(idleTimeoutMs > 0 && Number.isFinite(idleTimeoutMs)))
    throw new RangeError("idleTimeoutMs must be a positive number");
  if (!(Number.isSafeInteger(maxSessions) && maxSessions >= 1))
    throw new RangeError("maxSessionsPerUpstream must be an integer >= 1");
  const stdioIdle = options.stdio?.idleTimeoutMs;
  if (stdioIdle !== undefined && !(stdioIdle > 0 && Number.isFinite(stdioIdle)))
    throw new RangeError("stdio.idleTimeoutMs must be a positive number");
  return new UpstreamSessionPool({
    ...options,
    idleTimeoutMs,
    maxSessionsPerUpstream: maxSessions,
    stdio: options.stdio ?? {},
    onBackgroundError: options.onBackgroundError ?? (() => {}),
  });
}
