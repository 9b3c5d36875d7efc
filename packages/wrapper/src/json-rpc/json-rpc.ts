/** A JSON-RPC id as MCP allows it on a request (never `null`). */
export type JsonRpcId = string | number;

/** One JSON-RPC 2.0 message, kept loose: the wrapper relays MCP, it does not validate it. */
export interface JsonRpcMessage {
  readonly jsonrpc: "2.0";
  readonly id?: JsonRpcId | null;
  readonly method?: string;
  readonly params?: unknown;
  readonly result?: unknown;
  readonly error?: unknown;
  readonly [key: string]: unknown;
}

/** A request: a method and an id. */
export type JsonRpcRequest = JsonRpcMessage & { readonly id: JsonRpcId; readonly method: string };

/** The `_meta` key that marks a 2026-07-28 (stateless) request. */
export const PROTOCOL_VERSION_META_KEY = "io.modelcontextprotocol/protocolVersion";

/** JSON-RPC and MCP error codes the wrapper answers with. */
export const ERROR_CODES: {
  readonly parseError: -32700;
  readonly invalidRequest: -32600;
  readonly internalError: -32603;
  readonly remoteError: -32000;
  readonly requestTimeout: -32001;
} = {
  parseError: -32700,
  invalidRequest: -32600,
  internalError: -32603,
  /** Implementation-defined server error: the remote failed or could not be reached. */
  remoteError: -32000,
  /** The SDKs' code for a request that timed out. */
  requestTimeout: -32001,
};

/** True for a JSON object carrying `"jsonrpc": "2.0"`. */
export function isJsonRpcMessage(value: unknown): value is JsonRpcMessage {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    (value as { jsonrpc?: unknown }).jsonrpc === "2.0"
  );
}

/** A request: a method and an id. */
export function isRequest(message: JsonRpcMessage): message is JsonRpcRequest {
  return typeof message.method === "string" && isId(message.id);
}

/** A notification: a method and no id. */
export function isNotification(message: JsonRpcMessage): message is JsonRpcMessage & { method: string } {
  return typeof message.method === "string" && message.id === undefined;
}

/** A response (result or error) to a request with this id. */
export function isResponse(message: JsonRpcMessage): message is JsonRpcMessage & { id: JsonRpcId } {
  return message.method === undefined && isId(message.id) && ("result" in message || "error" in message);
}

/** True for a JSON-RPC id a request may carry. */
export function isId(id: unknown): id is JsonRpcId {
  return typeof id === "string" || typeof id === "number";
}

/** A map key that keeps `1` and `"1"` apart (they are different JSON-RPC ids). */
export function idKey(id: JsonRpcId): string {
  return typeof id === "number" ? `n:${id}` : `s:${id}`;
}

/** True when the request carries the 2026-07-28 protocol-version claim in `params._meta`. */
export function isStatelessRequest(message: JsonRpcMessage): boolean {
  const meta = objectAt(message.params, "_meta");
  return typeof meta?.[PROTOCOL_VERSION_META_KEY] === "string";
}

/** `params.requestId` of a `notifications/cancelled`, if it is an id. */
export function cancelledRequestId(message: JsonRpcMessage): JsonRpcId | undefined {
  const requestId = objectAt(message, "params")?.requestId;
  return isId(requestId) ? requestId : undefined;
}

/** `result.protocolVersion` of an InitializeResult, if present. */
export function negotiatedProtocolVersion(message: JsonRpcMessage): string | undefined {
  const version = objectAt(message, "result")?.protocolVersion;
  return typeof version === "string" ? version : undefined;
}

/** A JSON-RPC error response. */
export function errorResponse(
  id: JsonRpcId | null,
  code: number,
  message: string,
  data?: unknown,
): JsonRpcMessage {
  return { jsonrpc: "2.0", id, error: data === undefined ? { code, message } : { code, message, data } };
}

/** `value[key]` when it is a plain object. */
export function objectAt(value: unknown, key: string): Record<string, unknown> | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const inner = (value as Record<string, unknown>)[key];
  return typeof inner === "object" && inner !== null && !Array.isArray(inner)
    ? (inner as Record<string, unknown>)
    : undefined;
}
