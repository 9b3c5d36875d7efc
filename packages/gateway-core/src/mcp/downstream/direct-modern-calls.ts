import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  PROTOCOL_VERSION_META_KEY,
  ProtocolErrorCode,
  SERVER_INFO_META_KEY,
} from "@modelcontextprotocol/server";
import type { McpRouter, McpView } from "../router.js";
import { errorOf } from "./direct-calls.js";
import { MAX_PARAMS_DEPTH, nestsDeeperThan } from "./gateway-sdk-server.js";
import { isJsonObject, isRequestId } from "./json-object.js";

type Json = Record<string, unknown>;

/** The one revision of the 2026 era the gateway answers directly. */
const MODERN_VERSION = "2026-07-28";

/** A 2026-07-28 `tools/call` the gateway answers directly: see {@link isDirectModernCall}. */
export interface DirectModernCall {
  readonly jsonrpc: "2.0";
  readonly id: string | number;
  readonly method: "tools/call";
  readonly params: { readonly name: string; readonly arguments?: Json };
}

const hasOnly = (value: Json, keys: readonly string[]): boolean => {
  for (const key in value) if (!keys.includes(key)) return false;
  return true;
};

const REQUEST_KEYS = ["jsonrpc", "id", "method", "params"];
const PARAMS_KEYS = ["name", "arguments", "_meta"];
const ENVELOPE_KEYS = [PROTOCOL_VERSION_META_KEY, CLIENT_INFO_META_KEY, CLIENT_CAPABILITIES_META_KEY];
const CLIENT_INFO_KEYS = ["name", "version", "title"];

/** A client identity as the envelope carries it: name and version (and a title), all strings. */
function isClientInfo(value: unknown): boolean {
  if (!isJsonObject(value) || !hasOnly(value, CLIENT_INFO_KEYS)) return false;
  if (typeof value.name !== "string" || typeof value.version !== "string") return false;
  return value.title === undefined || typeof value.title === "string";
}

/**
 * Whether a 2026-07-28 request is a plain `tools/call` the gateway may answer itself, with the
 * JSON body the SDK's per-request server would send, without building that server. Only the
 * plainest well-formed request qualifies, so nothing the SDK would refuse or treat otherwise
 * takes this path: exactly the `MCP-Protocol-Version`, `Mcp-Method` and `Mcp-Name` headers the
 * body implies, an `Accept` of JSON and SSE, an envelope of protocol version, client info and
 * empty client capabilities (a client that can be asked nothing: no input_required round is
 * possible) and nothing else in `_meta` (no progress token, no log level, no request state).
 * Everything else goes to the SDK's handler unchanged.
 */
export function isDirectModernCall(request: Request, body: unknown): body is DirectModernCall {
  const { headers } = request;
  if (headers.get("mcp-protocol-version") !== MODERN_VERSION || headers.get("mcp-method") !== "tools/call")
    return false;
  const accept = headers.get("accept");
  if (!accept?.includes("application/json") || !accept.includes("text/event-stream")) return false;
  if (!isJsonObject(body) || !hasOnly(body, REQUEST_KEYS) || body.jsonrpc !== "2.0") return false;
  if (body.method !== "tools/call") return false;
  if (!isRequestId(body.id)) return false;
  const { params } = body;
  if (!isJsonObject(params) || !hasOnly(params, PARAMS_KEYS) || typeof params.name !== "string") return false;
  if (headers.get("mcp-name") !== params.name) return false;
  if (params.arguments !== undefined && !isJsonObject(params.arguments)) return false;
  const meta = params._meta;
  if (!isJsonObject(meta) || !hasOnly(meta, ENVELOPE_KEYS)) return false;
  if (meta[PROTOCOL_VERSION_META_KEY] !== MODERN_VERSION || !isClientInfo(meta[CLIENT_INFO_META_KEY]))
    return false;
  const capabilities = meta[CLIENT_CAPABILITIES_META_KEY];
  if (!isJsonObject(capabilities) || Object.keys(capabilities).length > 0) return false;
  return !nestsDeeperThan(params.arguments, MAX_PARAMS_DEPTH);
}

/** The result as the SDK's 2026-07-28 codec sends it: `resultType` and the server's identity. */
function encodeResult(result: Json, serverInfo: Json): Json {
  const typed = result.resultType === undefined ? { ...result, resultType: "complete" } : result;
  const meta = typed._meta;
  if (meta === undefined) return { ...typed, _meta: { [SERVER_INFO_META_KEY]: serverInfo } };
  if (!isJsonObject(meta) || meta[SERVER_INFO_META_KEY] !== undefined) return typed;
  return { ...typed, _meta: { ...meta, [SERVER_INFO_META_KEY]: serverInfo } };
}

/**
 * Runs a {@link DirectModernCall} through the router for `view` and answers it: the result or
 * the error, as the SDK server would (a client that goes away aborts the call, as there).
 */
export async function answerModernCall(
  router: McpRouter,
  view: McpView,
  call: DirectModernCall,
  signal: AbortSignal,
  serverInfo: { readonly name: string; readonly version: string },
): Promise<Response> {
  let answer: Json;
  try {
    const result = await router.callTool(view, call.params.name, call.params.arguments, {
      signal,
      clientCapabilities: {},
    });
    answer = { result: encodeResult(result, serverInfo) };
  } catch (error) {
    answer = { error: errorOf(error) };
  }
  // As the SDK's transport: an error in the answer is HTTP 200, except a capability the client
  // did not declare (SEP-2575: 400).
  const missingCapability =
    (answer.error as Json | undefined)?.code === ProtocolErrorCode.MissingRequiredClientCapability;
  return new Response(JSON.stringify({ jsonrpc: "2.0", id: call.id, ...answer }), {
    status: missingCapability ? 400 : 200,
    headers: { "content-type": "application/json" },
  });
}
