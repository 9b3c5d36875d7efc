import { ID_PARAM, type JsonObject, rootPath } from "./openapi-helpers.js";

/** The tag of the reverse proxy paths. */
export const REVERSE_PROXY_TAG: JsonObject = {
  name: "Reverse proxy",
  description:
    "Reverse proxies (`mcpreverseproxy`) connected to `/reverse-proxy/ws`, served while " +
    "MCPGATEWAY_REVERSE_PROXY_ENABLED is on (off: every `/reverse-proxy/` path answers 404).",
};

const SESSION: JsonObject = {
  type: "object",
  properties: {
    session_id: { type: "string" },
    gateway_id: { type: "string" },
    gateway_name: { type: "string" },
    name: { type: "string", description: "The name the proxy registered under" },
    slug: { type: "string" },
    url: { type: "string", description: "reverse://<slug>" },
    enabled: { type: "boolean" },
    reachable: { type: "boolean" },
    connected_at: { type: "string", format: "date-time" },
    registered_at: { type: "string", format: "date-time" },
    last_seen: {
      type: "string",
      format: "date-time",
      description: "Last frame, ping or pong (heartbeat) from the proxy",
    },
    remote_address: { type: ["string", "null"] },
    user_agent: { type: ["string", "null"] },
    registered_by: { type: "string", description: "The principal whose credentials opened the tunnel" },
    open_sessions: { type: "integer", description: "MCP sessions open through the tunnel" },
    frames_sent: { type: "integer" },
    frames_received: { type: "integer" },
  },
};

/** The OpenAPI paths of `/reverse-proxy/sessions`, served at the root only. */
export function createReverseProxyPaths(): Record<string, JsonObject> {
  const tag = REVERSE_PROXY_TAG.name as string;
  return {
    "/reverse-proxy/sessions": rootPath(tag, [], {
      get: {
        summary: "Connected reverse proxies whose gateway the caller may read (this replica's)",
        answer: ["200", "The registered tunnels, oldest first", { type: "array", items: SESSION }],
        errors: [401],
      },
    }),
    "/reverse-proxy/sessions/{id}": rootPath(tag, [ID_PARAM], {
      delete: {
        summary:
          "Close a tunnel (WebSocket close code 4002: the proxy reconnects); its gateway is " +
          "unreachable until then. Needs gateways.delete on the gateway",
        answer: "{status, message}",
        errors: [401, 403, [404, "No such connected session, or its gateway is not visible"]],
      },
    }),
  };
}
