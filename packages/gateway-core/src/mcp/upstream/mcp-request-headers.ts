import { type JSONRPCMessage, PROTOCOL_VERSION_META_KEY } from "@modelcontextprotocol/client";

/**
 * Headers the transport owns on a POST: a per-request override may not set them, or it could make
 * the headers disagree with the body (which 2026-07-28 servers reject with -32020).
 */
export const RESERVED_REQUEST_HEADERS: ReadonlySet<string> = new Set([
  "authorization",
  "dpop",
  "content-type",
  "mcp-protocol-version",
  "mcp-method",
  "mcp-name",
  "mcp-session-id",
]);

/** The body field each 2026-07-28 method's `Mcp-Name` header repeats (SEP-2243). */
const MCP_NAME_SOURCE: Readonly<Record<string, string>> = {
  "tools/call": "name",
  "prompts/get": "name",
  "resources/read": "uri",
  "tasks/get": "taskId",
  "tasks/update": "taskId",
  "tasks/cancel": "taskId",
};

const BASE64_PREFIX = "=?base64?";
const BASE64_SUFFIX = "?=";

/** A JSON-RPC request (has `method` and `id`), as the wire rules tell them apart. */
export function isRequestMessage(message: JSONRPCMessage): message is JSONRPCMessage & {
  method: string;
  id: string | number;
  params?: Record<string, unknown>;
} {
  return "method" in message && "id" in message && message.id !== undefined;
}

/** The `_meta` protocol-version claim of a request, which makes it a 2026-07-28 per-request exchange. */
export function envelopeVersionOf(message: JSONRPCMessage): string | undefined {
  if (!isRequestMessage(message)) return undefined;
  const meta = (message.params as { _meta?: Record<string, unknown> } | undefined)?._meta;
  const version = meta?.[PROTOCOL_VERSION_META_KEY];
  return typeof version === "string" ? version : undefined;
}

/** Whether a version belongs to the 2026-07-28 (stateless) era; version strings sort by date. */
export function isModernVersion(version: string): boolean {
  return version >= "2026-07-28";
}

/**
 * Sets the headers a 2026-07-28 request derives from its body: `MCP-Protocol-Version` from the
 * `_meta` claim, `Mcp-Method`, and `Mcp-Name` from the field the method names (encoded when it is
 * not a safe field value). A message without a claim is left alone, so no 2026 header reaches a
 * 2025 session. Returns whether the message carried a claim.
 */
export function applyBodyDerivedHeaders(headers: Record<string, string>, message: JSONRPCMessage): boolean {
  const version = envelopeVersionOf(message);
  if (version === undefined || !isRequestMessage(message)) return false;
  headers["mcp-protocol-version"] = version;
  headers["mcp-method"] = message.method;
  const field = Object.hasOwn(MCP_NAME_SOURCE, message.method) ? MCP_NAME_SOURCE[message.method] : undefined;
  const value = field === undefined ? undefined : message.params?.[field];
  if (typeof value === "string") headers["mcp-name"] = encodeHeaderValue(value);
  return true;
}

/** A value as an HTTP field value: unchanged when plain printable ASCII, else `=?base64?...?=` of its UTF-8. */
export function encodeHeaderValue(value: string): string {
  return needsBase64(value)
    ? `${BASE64_PREFIX}${Buffer.from(value, "utf8").toString("base64")}${BASE64_SUFFIX}`
    : value;
}

function needsBase64(value: string): boolean {
  if (value.length === 0) return true;
  if (value.startsWith(BASE64_PREFIX) && value.endsWith(BASE64_SUFFIX)) return true;
  if (value !== value.trim()) return true;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c !== 9 && (c < 32 || c > 126)) return true;
  }
  return false;
}
