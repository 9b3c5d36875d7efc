import { isJsonObject, isRequestId } from "./json-object.js";

/** The first protocol revision of the 2026 era (stateless requests with a `_meta` envelope). */
const FIRST_MODERN_PROTOCOL_VERSION = "2026-07-28";

const REQUEST_KEYS = new Set(["jsonrpc", "id", "method", "params"]);

/** Optional whitespace around an HTTP header value (RFC 9110 OWS: spaces and tabs). */
const stripOws = (value: string): string => value.replace(/^[ \t]+|[ \t]+$/g, "");

/**
 * A cheap, exact subset of the SDK's `isLegacyRequest`, for the requests a 2025 session sends all
 * day: true only for what the SDK classifies as 2025-era too, so the caller may skip the SDK's
 * classification (which validates the body against several zod schemas and, for a 2025 request,
 * builds the errors of the ones it fails). A false answer means "ask the SDK", not "modern".
 *
 * Covered: any non-POST (the SDK's "http-method" route), and a POST whose body is one plain
 * JSON-RPC request (no other members, integer or string id, object params whose `_meta` holds at
 * most a valid `progressToken`, so no 2026-07-28 envelope claim) with no `MCP-Protocol-Version`
 * header naming a 2026-era revision (the SDK's "no-claim" and "initialize" routes).
 */
export function isPlainLegacyRequest(
  httpMethod: string,
  protocolVersionHeader: string | null,
  body: unknown,
): boolean {
  if (httpMethod.toUpperCase() !== "POST") return true;
  if (protocolVersionHeader !== null && stripOws(protocolVersionHeader) >= FIRST_MODERN_PROTOCOL_VERSION)
    return false;
  if (!isJsonObject(body)) return false;
  for (const key in body) if (!REQUEST_KEYS.has(key)) return false;
  if (body.jsonrpc !== "2.0" || typeof body.method !== "string" || !isRequestId(body.id)) return false;
  const { params } = body;
  if (params === undefined) return true;
  if (!isJsonObject(params)) return false;
  const meta = params._meta;
  if (meta === undefined) return true;
  if (!isJsonObject(meta)) return false;
  for (const key in meta) if (key !== "progressToken") return false;
  return meta.progressToken === undefined || isRequestId(meta.progressToken);
}

/**
 * The converse shortcut: true only for POSTed requests the SDK's `isLegacyRequest` classifies as
 * not 2025-era (2026-07-28 requests, or ones the modern handler refuses), so the caller may hand
 * them to the modern handler without the SDK's classification. Covered: a plain object with an
 * integer or string id, a string method, object or no params, no `result` or `error` member, and
 * an `MCP-Protocol-Version` header naming a 2026-era revision. A false answer means "ask the SDK".
 */
export function isPlainModernRequest(
  httpMethod: string,
  protocolVersionHeader: string | null,
  body: unknown,
): boolean {
  if (httpMethod.toUpperCase() !== "POST" || protocolVersionHeader === null) return false;
  if (stripOws(protocolVersionHeader) < FIRST_MODERN_PROTOCOL_VERSION) return false;
  if (!isJsonObject(body) || "result" in body || "error" in body) return false;
  if (typeof body.method !== "string" || !isRequestId(body.id)) return false;
  return body.params === undefined || isJsonObject(body.params);
}
