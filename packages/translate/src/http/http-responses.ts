import type { IncomingMessage, ServerResponse } from "node:http";
import { TranslateError } from "../translate-error.js";

/** Upper bound of a POST body the bridge reads itself (as the SDK's transport does). */
export const MAX_BODY_BYTES: number = 4 * 1024 * 1024;

/** Answers with a JSON-RPC error object (`id: null`), the shape MCP clients expect on HTTP errors. */
export function sendJsonRpcError(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { "Content-Type": "application/json", ...headers });
  res.end(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }));
}

/** Maps a session-opening failure to HTTP, once: 503 for limits and an unavailable child. */
export function sendOpenError(res: ServerResponse, error: unknown): void {
  const status = httpStatusOf(error);
  const headers: Record<string, string> = {};
  if (error instanceof TranslateError && error.retryAt !== undefined) {
    headers["Retry-After"] = String(Math.max(1, Math.ceil((error.retryAt - Date.now()) / 1000)));
  }
  sendJsonRpcError(res, status.code, -32000, status.message, headers);
}

/** The HTTP status and client-facing message for a session-opening failure. */
export function httpStatusOf(error: unknown): { code: number; message: string } {
  if (error instanceof TranslateError && error.code === "session_limit") {
    return { code: 503, message: `Service Unavailable: ${error.message}` };
  }
  return { code: 503, message: "Service Unavailable: the stdio server could not be started" };
}

/** The result of {@link readJsonBody}. */
export type JsonBody =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly status: number; readonly code: number; readonly message: string };

/**
 * Reads and parses a JSON request body of at most {@link MAX_BODY_BYTES}. Listens for `data`
 * events directly: an async iterator over the request costs a promise per chunk.
 */
export function readJsonBody(req: IncomingMessage): Promise<JsonBody> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (body: JsonBody): void => {
      if (settled) return;
      settled = true;
      req.off("data", onData);
      resolve(body);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        settle({
          ok: false,
          status: 413,
          code: -32000,
          message: `Payload Too Large: over ${MAX_BODY_BYTES} bytes`,
        });
        req.resume();
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => {
      const text =
        chunks.length === 1 ? (chunks[0] as Buffer).toString("utf8") : Buffer.concat(chunks).toString("utf8");
      try {
        settle({ ok: true, value: JSON.parse(text) as unknown });
      } catch {
        settle({ ok: false, status: 400, code: -32700, message: "Parse error: Invalid JSON" });
      }
    });
    req.once("error", () =>
      settle({
        ok: false,
        status: 400,
        code: -32000,
        message: "Bad Request: the request body could not be read",
      }),
    );
    // A client that goes away mid-body never sends `end`.
    req.once("close", () =>
      settle({
        ok: false,
        status: 400,
        code: -32000,
        message: "Bad Request: the request body is incomplete",
      }),
    );
  });
}

/** A request header as one string (the first, when repeated). */
export function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
