import { ProtocolError, SdkError, SdkErrorCode } from "@modelcontextprotocol/client";
import { causeChain, httpStatusOf, networkCodeOf, toUpstreamError } from "./to-upstream-error.js";
import { UpstreamError } from "./upstream-error.js";
import { UpstreamRpcError } from "./upstream-rpc-error.js";

/** Network failures that happen before a byte of the request is written: it never reached the upstream. */
const NOT_CONNECTED_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/** What a failed upstream call means for the caller and for the pooled session. */
export interface CallFailureVerdict {
  /** What to throw (after the retry, if any). */
  readonly error: Error;
  /** The session is broken: close it so the next call reconnects. */
  readonly discardSession: boolean;
  /** The request provably never reached the upstream: it may be sent again on a fresh session. */
  readonly retryable: boolean;
}

/** Where the call was, what it was, and what the upstream is, for classification and messages. */
export interface CallFailureContext {
  readonly phase: "connect" | "request";
  readonly method: string;
  readonly url: string;
  readonly timeoutMs: number;
  /** The upstream session was a 2025 one with an `Mcp-Session-Id` (so 404 means "session gone"). */
  readonly hadSessionId: boolean;
  readonly signal?: AbortSignal | undefined;
  readonly secrets: readonly string[];
}

/**
 * Classifies a failed upstream call: the caller's own abort passes through as the signal's reason;
 * a JSON-RPC error from the upstream becomes an {@link UpstreamRpcError} (the session is fine); a
 * timeout an `UpstreamError("timeout")` (the session stays: the upstream may be slow, not gone);
 * transport failures discard the session, and are retryable only when the request provably never
 * reached the upstream (connect failed, connection refused, 404 for a 2025 session id, or the
 * session was already closed before sending).
 */
export function judgeCallFailure(error: unknown, context: CallFailureContext): CallFailureVerdict {
  if (context.signal?.aborted) {
    const reason: unknown = context.signal.reason;
    return {
      error: reason instanceof Error ? reason : new Error(String(reason)),
      discardSession: false,
      retryable: false,
    };
  }
  if (error instanceof ProtocolError) {
    const rpc = new UpstreamRpcError(error.code, error.message, error.data, context.url, { cause: error });
    return { error: rpc, discardSession: false, retryable: false };
  }
  const timedOut = isTimeout(error);
  const upstreamError = toUpstreamError(error, {
    url: context.url,
    timeoutMs: context.timeoutMs,
    deadlinePassed: timedOut,
    operation: context.phase === "connect" ? "accept a connection" : `answer ${context.method}`,
    secrets: context.secrets,
  });
  if (timedOut)
    return { error: upstreamError, discardSession: context.phase === "connect", retryable: false };
  if (context.phase === "connect") return { error: upstreamError, discardSession: true, retryable: true };
  if (error instanceof SdkError && error.code === SdkErrorCode.ConnectionClosed) {
    const message = `upstream ${context.url} closed the connection during ${context.method}`;
    return {
      error: new UpstreamError("unreachable", context.url, message, { cause: error }),
      discardSession: true,
      retryable: false,
    };
  }
  const notSent = neverReachedUpstream(error, context.hadSessionId);
  const broken = notSent || upstreamError.code !== "protocol" || isTransportFailure(error);
  return { error: upstreamError, discardSession: broken, retryable: notSent };
}

function isTimeout(error: unknown): boolean {
  if (error instanceof SdkError && error.code === SdkErrorCode.RequestTimeout) return true;
  return error instanceof Error && error.name === "TimeoutError";
}

function neverReachedUpstream(error: unknown, hadSessionId: boolean): boolean {
  if (error instanceof SdkError && error.code === SdkErrorCode.NotConnected) return true;
  // Protocol.request() rejects with a plain Error when the client has no transport any more.
  if (error instanceof Error && error.message === "Not connected") return true;
  return causeChain(error).some((e) => {
    const network = networkCodeOf(e);
    return (
      (network !== undefined && NOT_CONNECTED_CODES.has(network)) || (hadSessionId && httpStatusOf(e) === 404)
    );
  });
}

/** HTTP errors and network failures leave the session unusable; a bad result does not. */
function isTransportFailure(error: unknown): boolean {
  return causeChain(error).some((e) => httpStatusOf(e) !== undefined || networkCodeOf(e) !== undefined);
}
