import {
  SdkError,
  SdkErrorCode,
  SdkHttpError,
  SseError,
  UnauthorizedError,
} from "@modelcontextprotocol/client";
import { UpstreamError, type UpstreamErrorCode } from "./upstream-error.js";

/** Socket and DNS error codes (Node and undici) that mean no usable connection to the upstream. */
const NETWORK_CODES = [
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ECONNRESET",
  "ECONNABORTED",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ETIMEDOUT",
  "EPIPE",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_SOCKET",
] as const;
const NETWORK_CODE_SET: ReadonlySet<string> = new Set(NETWORK_CODES);
// The legacy SSE transport reports network failures only as text inside its error event.
const NETWORK_CODE_IN_TEXT = new RegExp(`\\b(${NETWORK_CODES.join("|")})\\b`);
const MAX_DETAIL_LENGTH = 200;

/** What the failed exchange is known to be about, for the error message. */
export interface UpstreamFailureContext {
  /** The redacted upstream URL. */
  readonly url: string;
  /** The deadline that applied, for the timeout message. */
  readonly timeoutMs: number;
  /** What did not finish in time, for the timeout message. Default `complete discovery`. */
  readonly operation?: string;
  /** True when the gateway's own deadline fired: the failure is then a timeout whatever its shape. */
  readonly deadlinePassed: boolean;
  /** Values that must never appear in a message (the header values sent upstream). */
  readonly secrets?: readonly string[];
}

interface Verdict {
  readonly code: UpstreamErrorCode;
  readonly detail: string;
}

/** The errors of a failure, outermost first, following `cause` (bounded, against cycles). */
export function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let current = error; current !== undefined && chain.length < 8; ) {
    chain.push(current);
    current = current instanceof Error ? current.cause : undefined;
  }
  return chain;
}

/** The HTTP status an SDK transport error reports, if any. */
export function httpStatusOf(error: unknown): number | undefined {
  if (error instanceof SdkHttpError) return error.status;
  if (error instanceof SseError) return error.code;
  return undefined;
}

/** The socket or DNS error code (`ECONNREFUSED`...) an error carries, if any. */
export function networkCodeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && NETWORK_CODE_SET.has(code)) return code;
  if (error instanceof SseError) return NETWORK_CODE_IN_TEXT.exec(error.message)?.[1];
  return undefined;
}

function judge(error: unknown): Verdict | undefined {
  const status = httpStatusOf(error);
  if (status === 401 || status === 403) return { code: "unauthorized", detail: `HTTP ${status}` };
  if (error instanceof UnauthorizedError) return { code: "unauthorized", detail: "authorization required" };
  if (error instanceof SdkError) {
    if (error.code === SdkErrorCode.ClientHttpAuthentication)
      return { code: "unauthorized", detail: "HTTP 401" };
    if (error.code === SdkErrorCode.ClientHttpForbidden) return { code: "unauthorized", detail: "HTTP 403" };
    if (error.code === SdkErrorCode.RequestTimeout) return { code: "timeout", detail: "request timed out" };
  }
  const network = networkCodeOf(error);
  return network === undefined ? undefined : { code: "unreachable", detail: network };
}

/** A short description of an unclassified failure: the HTTP status when known, else the message. */
function protocolDetail(chain: readonly unknown[]): string {
  for (const error of chain) {
    const status = httpStatusOf(error);
    if (status !== undefined) return `HTTP ${status}`;
  }
  const first = chain[0];
  const text = first instanceof Error ? first.message : String(first);
  return text.length > MAX_DETAIL_LENGTH ? `${text.slice(0, MAX_DETAIL_LENGTH)}...` : text;
}

/**
 * Classifies a failure of an exchange with an upstream into an {@link UpstreamError}, walking the
 * `cause` chain of the SDK's errors: HTTP 401/403 is `unauthorized`, refused connections and DNS
 * failures are `unreachable`, request timeouts (or the passed deadline) are `timeout`, and anything
 * else is `protocol`. An {@link UpstreamError} passes through unchanged.
 */
export function toUpstreamError(error: unknown, context: UpstreamFailureContext): UpstreamError {
  if (error instanceof UpstreamError) return error;
  const { url } = context;
  const chain = causeChain(error);
  const verdict: Verdict = context.deadlinePassed
    ? { code: "timeout", detail: "deadline passed" }
    : (chain.map(judge).find((v) => v !== undefined) ?? { code: "protocol", detail: protocolDetail(chain) });
  const message = {
    unreachable: `cannot reach upstream ${url} (${verdict.detail})`,
    timeout: `upstream ${url} did not ${context.operation ?? "complete discovery"} within ${context.timeoutMs} ms`,
    unauthorized: `upstream ${url} rejected the gateway's credentials (${verdict.detail})`,
    protocol: `upstream ${url} did not answer as an MCP server: ${verdict.detail}`,
  }[verdict.code];
  return new UpstreamError(verdict.code, url, redact(message, context.secrets ?? []), { cause: error });
}

/** Blanks out secrets that an SDK or fetch message may have quoted (e.g. an invalid header value). */
function redact(message: string, secrets: readonly string[]): string {
  let out = message;
  for (const secret of secrets) if (secret.length >= 4) out = out.replaceAll(secret, "[redacted]");
  return out;
}
