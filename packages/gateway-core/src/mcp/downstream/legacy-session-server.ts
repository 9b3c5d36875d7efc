import { randomUUID } from "node:crypto";
import type { Server } from "@modelcontextprotocol/server";
import type { McpRouter, McpView } from "../router.js";
import type { SubscriptionHub } from "../subscription-hub.js";
import { DirectCalls } from "./direct-calls.js";
import { createGatewayMcpServer } from "./gateway-mcp-server.js";

/** The calls a session's server lets the transport answer directly (see {@link DirectCalls}). */
const directCalls = new WeakMap<Server, DirectCalls>();

/** The {@link DirectCalls} of a server made by {@link createLegacySessionServer}, if it is one. */
export const directCallsOf = (server: Server): DirectCalls | undefined => directCalls.get(server);

/**
 * The SDK server of one 2025-era downstream session (streamable HTTP, SSE or WebSocket), joined
 * to the hub: it receives resource updates and list changes, and its subscriptions are released
 * when it closes. Its calls carry the session's identity, so upstreams that keep state per session
 * give it upstream sessions of its own; those are closed when it closes (DELETE, stream or socket
 * closed, idle expiry, eviction, shutdown: every end goes through `onclose`). Whoever sets
 * `onclose` afterwards must call the previous one.
 */
export function createLegacySessionServer(
  router: McpRouter,
  hub: SubscriptionHub,
  view: McpView,
  version: string,
): Server {
  let connected: Server | undefined;
  const subscriptions = hub.openSession(view, (notification) => {
    // Before the handshake completes, or once the transport is gone, there is no one to tell.
    connected?.notification(notification).catch(() => {});
  });
  const ended = new AbortController();
  const downstreamSession = { id: randomUUID(), ended: ended.signal };
  const server = createGatewayMcpServer(router, view, "legacy", version, {
    subscriptions,
    downstreamSession,
  });
  const direct = new DirectCalls({
    callTool: (name, args, relay) => router.callTool(view, name, args, { ...relay, downstreamSession }),
    notify: (notification) => {
      server.notification(notification as never).catch(() => {});
    },
    list: (kind, cursor) => {
      switch (kind) {
        case "tools":
          return router.listTools(view, cursor);
        case "resources":
          return router.listResources(view, cursor);
        case "resourceTemplates":
          return router.listResourceTemplates(view, cursor);
        case "prompts":
          return router.listPrompts(view, cursor);
      }
    },
  });
  directCalls.set(server, direct);
  server.oninitialized = () => {
    connected = server;
  };
  server.onclose = () => {
    connected = undefined;
    direct.close();
    subscriptions.close();
    ended.abort();
  };
  return server;
}
