import { redactUpstreamUrl, UpstreamError } from "./upstream-error.js";

/** What discovery needs from a target once it is known to be usable. */
export interface CheckedUpstreamTarget {
  readonly endpoint: URL;
  /** The URL as safe to log (see {@link redactUpstreamUrl}). */
  readonly safeUrl: string;
}

/**
 * Checks a target before any I/O: an http(s) URL and headers that fetch can send. Failures are
 * `unreachable` errors that name the URL and the header, never a header value; they carry no cause,
 * since fetch's own message quotes the offending value.
 */
export function checkUpstreamTarget(
  url: string,
  headers: Readonly<Record<string, string>> | undefined,
): CheckedUpstreamTarget {
  const safeUrl = redactUpstreamUrl(url);
  const endpoint = URL.canParse(url) ? new URL(url) : undefined;
  if (endpoint?.protocol !== "http:" && endpoint?.protocol !== "https:") {
    throw new UpstreamError("unreachable", safeUrl, `cannot reach upstream ${safeUrl}: not an http(s) URL`);
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
