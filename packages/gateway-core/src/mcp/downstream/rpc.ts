import { ProtocolError } from "@modelcontextprotocol/server";
import type { Context } from "hono";
import type { GatewayEnv } from "../../auth/principal.js";
import { GatewayError } from "../../errors/gateway-error.js";
import { viaChainOf } from "../../federation/federation-marker.js";
import type { ListPage } from "../list-pages.js";
import type { McpRouter, McpView } from "../router.js";

type Json = Record<string, unknown>;

interface RpcError {
  readonly code: number;
  readonly message: string;
  readonly data?: unknown;
}

const rpcError = (id: unknown, error: RpcError): Json => ({ jsonrpc: "2.0", id: id ?? null, error });

function listResult(key: string, page: ListPage): Json {
  return {
    [key]: page.items,
    ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
    ...(page.meta === undefined ? {} : { _meta: page.meta }),
  };
}

const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/** What one method does, given the view and the request's params. */
type Method = (router: McpRouter, view: McpView, params: Json, signal: AbortSignal) => Promise<Json>;

const METHODS: Record<string, Method> = {
  ping: async () => ({}),
  "tools/list": async (router, view, params) =>
    listResult("tools", await router.listTools(view, text(params.cursor))),
  "tools/call": (router, view, params, signal) =>
    router.callTool(view, String(params.name), params.arguments as Json | undefined, { signal }),
  "resources/list": async (router, view, params) =>
    listResult("resources", await router.listResources(view, text(params.cursor))),
  "resources/templates/list": async (router, view, params) =>
    listResult("resourceTemplates", await router.listResourceTemplates(view, text(params.cursor))),
  "resources/read": (router, view, params, signal) =>
    router.readResource(view, String(params.uri), { signal }),
  "prompts/list": async (router, view, params) =>
    listResult("prompts", await router.listPrompts(view, text(params.cursor))),
  "prompts/get": (router, view, params, signal) =>
    router.getPrompt(view, String(params.name), params.arguments as Record<string, string> | undefined, {
      signal,
    }),
  "completion/complete": (router, view, params, signal) => router.complete(view, params, { signal }),
};

/** Maps what a method threw to a JSON-RPC error object; unexpected errors say nothing internal. */
function toRpcError(error: unknown): RpcError {
  if (error instanceof ProtocolError) {
    return error.data === undefined
      ? { code: error.code, message: error.message }
      : { code: error.code, message: error.message, data: error.data };
  }
  if (error instanceof GatewayError)
    return { code: error.code === "not_found" ? -32602 : -32600, message: error.message };
  return { code: -32603, message: "Internal error" };
}

/**
 * `POST /rpc`: plain JSON-RPC over HTTP, one request and one JSON response, no session (as in
 * ContextForge). `params.server_id` scopes the call to a virtual server; without it every item
 * the caller may see is served. Protocol errors are JSON-RPC error objects with HTTP 200;
 * notifications get 202.
 */
export function createRpcHandler(router: McpRouter): (c: Context<GatewayEnv>) => Promise<Response> {
  return async (c) => {
    let body: unknown;
    try {
      body = JSON.parse(await c.req.text());
    } catch {
      return c.json(rpcError(null, { code: -32700, message: "Parse error" }), 400);
    }
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      return c.json(
        rpcError(null, { code: -32600, message: "Invalid Request: one JSON-RPC request object" }),
        400,
      );
    }
    const { id, method, params = {} } = body as { id?: unknown; method?: unknown; params?: unknown };
    const isNotification = !("id" in body);
    if (
      typeof method !== "string" ||
      (params !== null && typeof params !== "object") ||
      Array.isArray(params)
    ) {
      return c.json(rpcError(id, { code: -32600, message: "Invalid Request" }), 400);
    }
    if (isNotification) return c.body(null, 202);
    const handler = METHODS[method];
    if (!handler) return c.json(rpcError(id, { code: -32601, message: `Method not found: ${method}` }));
    const { server_id: serverId, ...rest } = (params ?? {}) as Json;
    if (serverId !== undefined && typeof serverId !== "string") {
      return c.json(rpcError(id, { code: -32602, message: "params.server_id must be a string" }));
    }
    const principal = c.get("principal");
    try {
      // A peer gateway's request names the gateways it passed (federation loops and hop limit).
      const via = viaChainOf(rest._meta);
      const view: McpView = via === undefined ? { serverId, principal } : { serverId, principal, via };
      await router.checkView(view);
      const result = await handler(router, view, rest, c.req.raw.signal);
      return c.json({ jsonrpc: "2.0", id, result });
    } catch (error) {
      return c.json(rpcError(id, toRpcError(error)));
    }
  };
}
