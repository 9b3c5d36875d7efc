import type { UpstreamNetworkTransport } from "./upstream-connection.js";
import { redactUpstreamUrl, UpstreamError } from "./upstream-error.js";

/** What discovery needs from a target once it is known to be usable. */
export interface CheckedUpstreamTarget {
  readonly endpoint: URL;
  /** The URL as safe to log (see {@link redactUpstreamUrl}). */
  readonly safeUrl: string;
}

/** URL schemes each network transport dials. */
const SCHEMES: Readonly<Record<UpstreamNetworkTransport, readonly string[]>> = {
  STREAMABLEHTTP: ["http:", "https:"],
  SSE: ["http:", "https:"],
  WEBSOCKET: ["ws:", "wss:"],
};

/**
 * Checks a target before any I/O: a URL of the transport's scheme (http(s), or ws(s) for
 * WebSocket; either when `transport` is not given) and headers that can be sent. Failures are
 * `unreachable` errors that name the URL and the header, never a header value; they carry no cause,
 * since fetch's own message quotes the offending value.
 */
export function checkUpstreamTarget(
  url: string,
  headers: Readonly<Record<string, string>> | undefined,
  transport?: UpstreamNetworkTransport,
): CheckedUpstreamTarget {
  const safeUrl = redactUpstreamUrl(url);
  const endpoint = URL.canParse(url) ? new URL(url) : undefined;
  const schemes = transport === undefined ? ["http:", "https:", "ws:", "wss:"] : SCHEMES[transport];
  if (endpoint === undefined || !schemes.includes(endpoint.protocol)) {
    const kind =
      transport === "WEBSOCKET" ? "a ws(s)" : transport === undefined ? "an http(s) or ws(s)" : "an http(s)";
    throw new UpstreamError("unreachable", safeUrl, `cannot reach upstream ${safeUrl}: not ${kind} URL`);
  }
  for (const [name, value] of Object.entries(headers ?? {})) {
    try {
      new Headers([[name, value]]);
    } catch {
      throw new UpstreamError("unreachable", safeUrl, `cannot send header "${name}" to upstream ${safeUrl}`);
    }
  }
  return { endpoint, safeUrl };
}
