import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";

/**
 * Refuses request bodies over `maxSize` bytes, as hono's `bodyLimit` does, without touching the
 * request's body stream when the `Content-Length` header already says the size: hono's looks at
 * `c.req.raw.body` first, which makes @hono/node-server build a full web `Request` and stream for
 * every POST (~10% of the gateway's CPU per call); left alone, the handler reads the body
 * straight from the socket. A body without a length (chunked) is counted as it streams, by
 * hono's middleware.
 */
export function requestBodyLimit(maxSize: number, onError: (c: Context) => never): MiddlewareHandler {
  const streamed = bodyLimit({ maxSize, onError });
  return async (c, next) => {
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    const length = c.req.header("content-length");
    if (length !== undefined && c.req.header("transfer-encoding") === undefined) {
      if (Number.parseInt(length, 10) > maxSize) onError(c);
      return next();
    }
    return streamed(c, next);
  };
}
