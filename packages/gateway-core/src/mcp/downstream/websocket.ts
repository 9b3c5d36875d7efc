import { randomUUID } from "node:crypto";
import { upgradeWebSocket, type WebSocketServerLike } from "@hono/node-server";
import type { Server } from "@modelcontextprotocol/server";
import type { Context, Next } from "hono";
import { type WebSocket, WebSocketServer } from "ws";
import type { Authenticator, AuthRequestContext } from "../../auth/authenticate.js";
import type { GatewayEnv, Principal } from "../../auth/principal.js";
import { GatewayError } from "../../errors/gateway-error.js";
import type { Logger } from "../../observability/logger.js";
import type { McpRouter, McpView } from "../router.js";
import type { SubscriptionHub } from "../subscription-hub.js";
import { createLegacySessionServer } from "./legacy-session-server.js";
import { redactedUrl, selectSubprotocol, webSocketAuthorization } from "./websocket-credentials.js";
import { startWebSocketHeartbeat } from "./websocket-heartbeat.js";
import { WebSocketServerTransport } from "./websocket-server-transport.js";

/** Options of the WebSocket endpoint. */
export interface WebSocketOptions {
  readonly router: McpRouter;
  /** Relays resource subscriptions and list changes to the sessions. */
  readonly hub: SubscriptionHub;
  readonly version: string;
  readonly authenticate: Authenticator;
  /** The client address and proxy user header of the upgrade request, for the authenticator. */
  readonly authContext?: (c: Context<GatewayEnv>) => AuthRequestContext;
  /** The header that carries credentials (`AUTH_HEADER_NAME`). */
  readonly authHeaderName: string;
  /** Largest frame accepted; a larger one closes the socket with 1009. */
  readonly maxFrameBytes: number;
  /** A ping to each client this often; one that misses a pong is dropped. 0 (default) turns pings off. */
  readonly pingIntervalMs?: number;
  readonly logger: Logger;
}

/** A session's view whose principal is replaced when its credentials are checked again. */
interface LiveView extends McpView {
  principal: Principal;
}

/** The WebSocket endpoints: the `ws` server, a Hono handler, the open session count, `close()`. */
export interface WebSocketEndpoint {
  /** Hand it to the Node server: `serve({ fetch, websocket: { server } })`. */
  readonly server: WebSocketServerLike;
  /** `GET /ws`, `GET /servers/{id}/ws`; authenticates itself (mount it before `requireAuth`). */
  handle(c: Context<GatewayEnv>, next: Next, serverId: string | undefined): Promise<Response | undefined>;
  /** The number of open sessions. */
  readonly size: number;
  /**
   * Authenticates every open session again with the credentials it connected with (after users,
   * roles or tokens changed): a revoked token or deactivated user is disconnected, and the others
   * see with their current rights from their next message on.
   */
  recheck(): Promise<void>;
  close(): Promise<void>;
}

/**
 * MCP over WebSocket, one JSON-RPC message per text frame, one SDK server per connection. The
 * caller is authenticated before the upgrade is accepted (401 and no upgrade otherwise), from
 * the auth header, a `token` query parameter or a `bearer.<token>` subprotocol entry; only `mcp`
 * is ever echoed as subprotocol. Closing the socket ends the session and aborts its calls, and so
 * does a client that misses a pong (every `pingIntervalMs`).
 */
export function createWebSocketEndpoint(options: WebSocketOptions): WebSocketEndpoint {
  const { router, version, logger } = options;
  const sessions = new Map<string, Server>();
  /** Per session: authenticates its credentials again and updates its view (see `recheck`). */
  const rechecks = new Map<string, () => Promise<void>>();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxFrameBytes,
    handleProtocols: (offered) => selectSubprotocol(offered),
  });

  const accept = (principal: Principal, view: LiveView, url: string, recheck: () => Promise<Principal>) =>
    upgradeWebSocket(() => {
      const id = randomUUID();
      let transport: WebSocketServerTransport | undefined;
      return {
        onOpen: (_event, socket) => {
          transport = new WebSocketServerTransport(socket, id);
          // `raw` is the `ws` socket of our own WebSocketServer (Hono types it structurally).
          startWebSocketHeartbeat(socket.raw as unknown as WebSocket, options.pingIntervalMs ?? 0, () =>
            logger.debug({ session: id }, "websocket client missed a pong; dropping it"),
          );
          const mcp = createLegacySessionServer(router, options.hub, view, version);
          sessions.set(id, mcp);
          rechecks.set(id, async () => {
            try {
              view.principal = await recheck();
            } catch {
              logger.debug({ session: id }, "websocket credentials no longer valid; closing the session");
              await mcp.close();
            }
          });
          const release = mcp.onclose;
          mcp.onclose = () => {
            sessions.delete(id);
            rechecks.delete(id);
            release?.();
            logger.debug({ session: id }, "websocket session closed");
          };
          mcp.connect(transport).catch((error: unknown) => {
            logger.warn({ err: error, session: id }, "websocket session failed to start");
            void transport?.close();
          });
          logger.debug({ session: id, subject: principal.subject, url }, "websocket session opened");
        },
        onMessage: (event) => transport?.receive(event.data as string | ArrayBuffer),
        onClose: () => transport?.socketClosed(),
        onError: () => transport?.socketClosed(),
      };
    });

  return {
    // ws types `options.noServer` as `boolean | undefined`, which exactOptionalPropertyTypes
    // refuses for the optional `noServer?: boolean` of the node server's structural type.
    server: wss as unknown as WebSocketServerLike,
    get size() {
      return sessions.size;
    },

    async handle(c, next, serverId) {
      if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
        c.header("Upgrade", "websocket");
        return c.json({ detail: "WebSocket upgrade required", code: "upgrade_required" }, 426);
      }
      let principal: Principal;
      const credentials = webSocketAuthorization(c.req.raw, options.authHeaderName);
      const authContext = options.authContext?.(c);
      const authenticateAgain = () => options.authenticate(credentials, authContext);
      try {
        principal = await authenticateAgain();
      } catch (error) {
        if (error instanceof GatewayError && error.code === "unauthorized")
          c.header("WWW-Authenticate", 'Bearer realm="mcpgateway"');
        throw error;
      }
      const view: LiveView = { serverId, principal };
      await router.checkView(view);
      c.set("principal", principal);
      return (await accept(principal, view, redactedUrl(c.req.url), authenticateAgain)(c, next)) ?? undefined;
    },

    async recheck() {
      await Promise.allSettled([...rechecks.values()].map((run) => run()));
    },

    async close() {
      const open = [...sessions.values()];
      sessions.clear();
      await Promise.allSettled(open.map((session) => session.close()));
      // Sockets that have not finished their close handshake would hold the HTTP server open.
      for (const socket of wss.clients) socket.terminate();
      wss.close();
    },
  };
}
