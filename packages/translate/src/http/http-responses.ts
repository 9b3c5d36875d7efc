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

/** Reads and parses a JSON request body of at most {@link MAX_BODY_BYTES}. */
export async function readJsonBody(req: IncomingMessage): Promise<JsonBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      return {
        ok: false,
        status: 413,
        code: -32000,
        message: `Payload Too Large: over ${MAX_BODY_BYTES} bytes`,
      };
    }
    chunks.push(chunk);
  }
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown };
  } catch {
    return { ok: false, status: 400, code: -32700, message: "Parse error: Invalid JSON" };
  }
}

/** A request header as one string (the first, when repeated). */
export function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
