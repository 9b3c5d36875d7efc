import type { IncomingMessage } from "node:http";
import type { JsonRpcMessage } from "../relay/json-rpc.js";
import { headerOf } from "./http-responses.js";

/** An HTTP request refused by a wire rule: the status and the JSON-RPC error to answer with. */
export interface WireRefusal {
  readonly status: number;
  readonly code: number;
  readonly message: string;
}

/** Messages in one POST at most, as the SDK's transport allows. */
export const MAX_BATCH_SIZE = 100;

/** A POST must accept both a JSON body and an SSE stream, and send JSON. */
export function postHeadersRefusal(req: IncomingMessage): WireRefusal | undefined {
  const accept = headerOf(req, "accept");
  if (accept === undefined || !accept.includes("application/json") || !accept.includes("text/event-stream")) {
    return {
      status: 406,
      code: -32000,
      message: "Not Acceptable: Client must accept both application/json and text/event-stream",
    };
  }
  if (!isJsonContentType(headerOf(req, "content-type"))) {
    return {
      status: 415,
      code: -32000,
      message: "Unsupported Media Type: Content-Type must be application/json",
    };
  }
  return undefined;
}

/** A GET opens an SSE stream: the client must accept one. */
export function getHeadersRefusal(req: IncomingMessage): WireRefusal | undefined {
  if (headerOf(req, "accept")?.includes("text/event-stream") === true) return undefined;
  return { status: 406, code: -32000, message: "Not Acceptable: Client must accept text/event-stream" };
}

/**
 * An `MCP-Protocol-Version` header naming a version not served is refused (400); an absent header
 * means the version negotiated at initialization.
 */
export function protocolVersionRefusal(
  req: IncomingMessage,
  supported: readonly string[],
): WireRefusal | undefined {
  const version = headerOf(req, "mcp-protocol-version");
  if (version === undefined || supported.includes(version)) return undefined;
  return {
    status: 400,
    code: -32000,
    message: `Bad Request: Unsupported protocol version: ${version} (supported versions: ${supported.join(", ")})`,
  };
}

/** The result of {@link parseJsonRpcBody}. */
export type ParsedMessages =
  | { readonly ok: true; readonly messages: readonly JsonRpcMessage[]; readonly batch: boolean }
  | ({ readonly ok: false } & WireRefusal);

/**
 * The JSON-RPC messages of a parsed POST body (one message or a batch), checked for their shape
 * only: the relay passes MCP through, the child validates it.
 */
export function parseJsonRpcBody(body: unknown): ParsedMessages {
  const batch = Array.isArray(body);
  const messages: unknown[] = batch ? body : [body];
  if (messages.length === 0) {
    return { ok: false, status: 400, code: -32600, message: "Invalid Request: empty batch" };
  }
  if (messages.length > MAX_BATCH_SIZE) {
    return {
      ok: false,
      status: 400,
      code: -32600,
      message: `Invalid Request: Batch must not exceed ${MAX_BATCH_SIZE} messages`,
    };
  }
  for (const message of messages) {
    if (!isWellFormed(message)) {
      return { ok: false, status: 400, code: -32700, message: "Parse error: Invalid JSON-RPC message" };
    }
  }
  return { ok: true, messages: messages as JsonRpcMessage[], batch };
}

/** A JSON-RPC 2.0 request, notification, result or error, by its members. */
export function isWellFormed(value: unknown): value is JsonRpcMessage {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const message = value as JsonRpcMessage;
  if (message.jsonrpc !== "2.0") return false;
  const { id } = message;
  const validId =
    id === undefined || typeof id === "string" || (typeof id === "number" && Number.isFinite(id));
  if (typeof message.method === "string") {
    return (
      validId &&
      (message.params === undefined || (typeof message.params === "object" && message.params !== null))
    );
  }
  if (message.method !== undefined) return false;
  if ("result" in message) return typeof id === "string" || typeof id === "number";
  if (typeof message.error === "object" && message.error !== null) {
    const error = message.error as { code?: unknown; message?: unknown };
    return typeof error.code === "number" && typeof error.message === "string" && (validId || id === null);
  }
  return false;
}

function isJsonContentType(value: string | undefined): boolean {
  if (value === undefined) return false;
  const semicolon = value.indexOf(";");
  const type = (semicolon === -1 ? value : value.slice(0, semicolon)).trim().toLowerCase();
  return type === "application/json";
}
