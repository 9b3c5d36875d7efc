/** A JSON-RPC id as MCP allows it (never `null` on a request). */
export type JsonRpcId = string | number;

/** One JSON-RPC 2.0 message, kept loose: the relay moves messages, it does not validate MCP. */
export interface JsonRpcMessage {
  readonly jsonrpc?: "2.0";
  readonly id?: JsonRpcId | null;
  readonly method?: string;
  readonly params?: unknown;
  readonly result?: unknown;
  readonly error?: unknown;
  readonly [key: string]: unknown;
}

/** True for a JSON object that can be a JSON-RPC message. */
export function isJsonRpcMessage(value: unknown): value is JsonRpcMessage {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A request: a method and an id. */
export function isRequest(
  message: JsonRpcMessage,
): message is JsonRpcMessage & { id: JsonRpcId; method: string } {
  return typeof message.method === "string" && isId(message.id);
}

/** A notification: a method and no id. */
export function isNotification(message: JsonRpcMessage): message is JsonRpcMessage & { method: string } {
  return typeof message.method === "string" && message.id === undefined;
}

/** A response (result or error) to a request with this id. */
export function isResponse(message: JsonRpcMessage): message is JsonRpcMessage & { id: JsonRpcId } {
  return message.method === undefined && isId(message.id);
}

function isId(id: unknown): id is JsonRpcId {
  return typeof id === "string" || typeof id === "number";
}

/** A map key that keeps `1` and `"1"` apart (they are different JSON-RPC ids). */
export function idKey(id: JsonRpcId): string {
  return typeof id === "number" ? `n:${id}` : `s:${id}`;
}

/** The `params._meta.progressToken` of a request, if any. */
export function progressTokenOf(message: JsonRpcMessage): JsonRpcId | undefined {
  const meta = objectAt(message.params, "_meta");
  const token = meta?.progressToken;
  return typeof token === "string" || typeof token === "number" ? token : undefined;
}

/** The request with `params._meta.progressToken` replaced (the rest of the message untouched). */
export function withProgressToken(message: JsonRpcMessage, token: JsonRpcId): JsonRpcMessage {
  const params = objectAt(message, "params") ?? {};
  const meta = objectAt(params, "_meta") ?? {};
  return { ...message, params: { ...params, _meta: { ...meta, progressToken: token } } };
}

/** `params[key]` of a notification as a JSON-RPC id, if it is one. */
export function paramId(message: JsonRpcMessage, key: string): JsonRpcId | undefined {
  const value = objectAt(message, "params")?.[key];
  return typeof value === "string" || typeof value === "number" ? value : undefined;
}

/** The notification with `params[key]` replaced. */
export function withParam(message: JsonRpcMessage, key: string, value: unknown): JsonRpcMessage {
  return { ...message, params: { ...objectAt(message, "params"), [key]: value } };
}

/** A JSON-RPC error response. */
export function errorResponse(id: JsonRpcId | null, code: number, message: string): JsonRpcMessage {
  return { jsonrpc: "2.0", id, error: { code, message } };
}

function objectAt(value: unknown, key: string): Record<string, unknown> | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const inner = (value as Record<string, unknown>)[key];
  return typeof inner === "object" && inner !== null && !Array.isArray(inner)
    ? (inner as Record<string, unknown>)
    : undefined;
}

/** The `_meta` key of the 2026-07-28 per-request protocol version claim. */
const PROTOCOL_VERSION_META_KEY = "io.modelcontextprotocol/protocolVersion";

/** True for a 2026-07-28 (or later) request: it claims its protocol version in `params._meta`. */
export function hasVersionClaim(message: JsonRpcMessage): boolean {
  return typeof objectAt(message.params, "_meta")?.[PROTOCOL_VERSION_META_KEY] === "string";
}
