import { parseTunnelFrame, TUNNEL_CLOSE_CODES } from "@contextforge/mcp-transport";
import { upgradeWebSocket } from "@hono/node-server";
import type { Context, Next } from "hono";
import type { Kysely } from "kysely";
import type { WebSocket } from "ws";
import { mayCreate } from "../auth/access.js";
import type { Authenticator, AuthRequestContext } from "../auth/authenticate.js";
import type { GatewayEnv, Principal } from "../auth/principal.js";
import type { DatabaseSchema } from "../db/database-schema.js";
import { GatewayError } from "../errors/gateway-error.js";
import { redactedUrl, webSocketAuthorization } from "../mcp/downstream/websocket-credentials.js";
import { startWebSocketHeartbeat } from "../mcp/downstream/websocket-heartbeat.js";
import { ReverseTunnel } from "../mcp/upstream/reverse-tunnel.js";
import { type ReverseTunnels, reverseProxyUrl } from "../mcp/upstream/reverse-tunnels.js";
import type { Logger } from "../observability/logger.js";
import { writeGatewayHealth } from "../registry/gateways/gateway-health-repository.js";
import type { GatewayCreate } from "../registry/gateways/gateway-schema.js";
import type { GatewayService } from "../registry/gateways/gateway-service.js";
import { slugify } from "../registry/tools/exposed-tool-name.js";
import { readReverseGateways } from "./reverse-gateway-repository.js";
import { createReverseProxyAdmin, type ReverseProxyAdmin } from "./reverse-proxy-admin.js";
import {
  ReverseProxySession,
  ReverseProxySessions,
  type TunnelOrigin,
  type TunnelRegistration,
} from "./reverse-proxy-sessions.js";

/** Options of {@link createReverseProxyEndpoint}. */
export interface ReverseProxyEndpointOptions {
  readonly db: Kysely<DatabaseSchema>;
  /** The registry's gateway service (the one that announces changes). */
  readonly gateways: GatewayService;
  /** Where connected tunnels are kept; the upstream pool and discovery open sessions through it. */
  readonly tunnels: ReverseTunnels;
  readonly authenticate: Authenticator;
  readonly authContext?: (c: Context<GatewayEnv>) => AuthRequestContext;
  /** The header that carries credentials (`AUTH_HEADER_NAME`). */
  readonly authHeaderName: string;
  /** A ping to each proxy this often; one that misses a pong is dropped. 0 turns pings off. */
  readonly pingIntervalMs: number;
  /** How long a proxy may take to send its `register` frame. Default 10000. */
  readonly registerTimeoutMs?: number;
  /** A gateway's reachability changed: lists and calls must see it now. */
  readonly onReachabilityChange: () => void;
  readonly logger: Logger;
}

/** `GET /reverse-proxy/ws`: the endpoint reverse proxies (`mcpreverseproxy`) connect to. */
export interface ReverseProxyEndpoint {
  /** Authenticates itself (mount it before `requireAuth`); the caller needs `gateways.create`. */
  handle(c: Context<GatewayEnv>, next: Next): Promise<Response | undefined>;
  /** Connected tunnels. */
  readonly size: number;
  /** What `/reverse-proxy/sessions` lists and closes. */
  readonly admin: ReverseProxyAdmin;
  /**
   * The registry changed (here or on another replica; `gatewayId` when one gateway did): tunnels
   * whose gateway was deleted are closed with `gatewayDeleted`, which tells the proxy to stop.
   */
  registryChanged(gatewayId?: string): Promise<void>;
  close(): void;
}

/**
 * Accepts reverse proxies over WebSocket. A proxy sends `register` with a name; the gateway of
 * that name's slug is created (transport `REVERSE`, URL `reverse://<slug>`) or, when the proxy
 * comes back, re-discovered and marked reachable; its items are discovered through the tunnel,
 * which then serves as its upstream. When the tunnel drops, the gateway is marked unreachable at
 * once (its calls fail fast) until the proxy connects again.
 */
export function createReverseProxyEndpoint(options: ReverseProxyEndpointOptions): ReverseProxyEndpoint {
  const { db, tunnels, logger } = options;
  const registerTimeoutMs = options.registerTimeoutMs ?? 10_000;
  const sessions = new ReverseProxySessions();

  const register = async (
    tunnel: ReverseTunnel,
    principal: Principal,
    name: string,
    description: string | undefined,
  ): Promise<TunnelRegistration> => {
    const slug = slugify(name, "-");
    if (!slug)
      throw new GatewayError("validation_failed", `name ${JSON.stringify(name)} has no letters or digits`);
    const url = reverseProxyUrl(slug);
    const existing = await db
      .selectFrom("gateways")
      .select(["id", "transport"])
      .where("slug", "=", slug)
      .executeTakeFirst();
    if (existing && existing.transport !== "REVERSE")
      throw new GatewayError(
        "conflict",
        `a gateway named ${JSON.stringify(name)} exists and is not a reverse proxy`,
      );
    tunnels.attach(url, tunnel)?.close(TUNNEL_CLOSE_CODES.replaced, "replaced by a new connection");
    const actor = principal.via === "anonymous" ? undefined : principal.subject;
    if (existing === undefined) {
      const input: GatewayCreate = {
        name,
        url,
        transport: "REVERSE",
        tags: ["reverse-proxy"],
        ...(description === undefined ? {} : { description }),
      };
      const created = await options.gateways.create(input, actor);
      return { gatewayId: created.id, url, name, registeredAt: new Date().toISOString() };
    }
    await options.gateways.refresh(existing.id, { resources: true, prompts: true }, actor);
    await writeGatewayHealth(db, existing.id, { answered: true, at: new Date().toISOString() });
    options.onReachabilityChange();
    return { gatewayId: existing.id, url, name, registeredAt: new Date().toISOString() };
  };

  const disconnected = async (tunnel: ReverseTunnel, registration: TunnelRegistration): Promise<void> => {
    // Replaced by a newer connection of the same proxy: that one serves the gateway now.
    if (!tunnels.detach(registration.url, tunnel)) return;
    await writeGatewayHealth(db, registration.gatewayId, {
      answered: false,
      error: `reverse proxy ${registration.url} disconnected`,
      reachable: false,
      consecutiveFailures: 1,
    });
    options.onReachabilityChange();
  };

  const accept = (principal: Principal, origin: TunnelOrigin, requestUrl: string) =>
    upgradeWebSocket(() => {
      let tunnel: ReverseTunnel | undefined;
      let session: ReverseProxySession | undefined;
      let registering: Promise<TunnelRegistration | undefined> | undefined;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const refuse = (code: number, message: string): void => {
        tunnel?.send({ type: "error", message });
        tunnel?.close(code, message.slice(0, 120));
      };
      return {
        onOpen: (_event, socket) => {
          tunnel = new ReverseTunnel(socket);
          const opened = new ReverseProxySession(tunnel, origin);
          session = opened;
          sessions.add(opened);
          const raw = socket.raw as unknown as WebSocket;
          // The proxy's heartbeats are WebSocket pings; the gateway's are answered with pongs.
          raw.on("ping", () => opened.heard());
          raw.on("pong", () => opened.heard());
          startWebSocketHeartbeat(raw, options.pingIntervalMs, () =>
            logger.debug({ url: requestUrl }, "reverse proxy missed a pong; dropping it"),
          );
          timer = setTimeout(() => {
            if (registering === undefined) refuse(TUNNEL_CLOSE_CODES.badFrame, "no register frame received");
          }, registerTimeoutMs);
          timer.unref();
        },
        onMessage: (event) => {
          const current = tunnel;
          if (current === undefined) return;
          session?.heard();
          const data = event.data;
          const frame = parseTunnelFrame(
            typeof data === "string" ? data : Buffer.from(data as ArrayBuffer).toString("utf8"),
          );
          if (frame === undefined) {
            refuse(TUNNEL_CLOSE_CODES.badFrame, "not a reverse proxy frame");
            return;
          }
          if (registering !== undefined) {
            current.receive(frame);
            return;
          }
          if (frame.type !== "register") {
            refuse(TUNNEL_CLOSE_CODES.badFrame, "the first frame must be register");
            return;
          }
          clearTimeout(timer);
          registering = register(current, principal, frame.name, frame.description).then(
            (registration) => {
              if (!current.open) {
                void disconnected(current, registration);
                return registration;
              }
              const slug = registration.url.slice("reverse://".length);
              session?.registered(registration);
              current.send({ type: "registered", gatewayId: registration.gatewayId, slug });
              logger.info({ gatewayId: registration.gatewayId, slug }, "reverse proxy connected");
              return registration;
            },
            (error: unknown) => {
              tunnels.detach(reverseProxyUrl(slugify(frame.name, "-")), current);
              const message = error instanceof Error ? error.message : String(error);
              logger.warn({ err: error, name: frame.name }, "reverse proxy registration failed");
              const code =
                error instanceof GatewayError && error.code === "conflict"
                  ? TUNNEL_CLOSE_CODES.nameTaken
                  : TUNNEL_CLOSE_CODES.registrationFailed;
              refuse(code, message);
              return undefined;
            },
          );
        },
        onClose: () => {
          clearTimeout(timer);
          if (session !== undefined) sessions.delete(session);
          const current = tunnel;
          if (current === undefined) return;
          current.socketClosed();
          void registering?.then(async (registration) => {
            if (registration === undefined) return;
            logger.info({ gatewayId: registration.gatewayId }, "reverse proxy disconnected");
            await disconnected(current, registration).catch((error: unknown) =>
              logger.warn({ err: error }, "could not mark a reverse proxy gateway unreachable"),
            );
          });
        },
        onError: () => tunnel?.socketClosed(),
      };
    });

  const admin = createReverseProxyAdmin({
    db,
    sessions,
    close: async (session) => {
      const registration = session.registration;
      logger.info(
        { gatewayId: registration?.gatewayId, session: session.id },
        "reverse proxy closed by an administrator",
      );
      sessions.delete(session);
      session.tunnel.close(TUNNEL_CLOSE_CODES.closedByAdministrator, "closed by an administrator");
      // Marked unreachable before the answer; the socket's close event then finds it done.
      if (registration !== undefined) await disconnected(session.tunnel, registration);
    },
  });

  return {
    get size() {
      return tunnels.size;
    },

    admin,

    async registryChanged(gatewayId) {
      const affected = sessions
        .registered()
        .filter((session) => gatewayId === undefined || session.registration?.gatewayId === gatewayId);
      if (affected.length === 0) return;
      try {
        const existing = await readReverseGateways(
          db,
          affected.map((session) => session.registration?.gatewayId ?? ""),
        );
        for (const session of affected) {
          const registration = session.registration;
          if (registration === undefined || existing.has(registration.gatewayId)) continue;
          logger.info(
            { gatewayId: registration.gatewayId },
            "reverse proxy gateway deleted; closing its tunnel",
          );
          sessions.delete(session);
          session.tunnel.send({ type: "error", message: `gateway ${registration.name} was deleted` });
          session.tunnel.close(TUNNEL_CLOSE_CODES.gatewayDeleted, "the gateway was deleted");
        }
      } catch (error) {
        logger.warn({ err: error }, "could not check the gateways of connected reverse proxies");
      }
    },

    async handle(c, next) {
      if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
        c.header("Upgrade", "websocket");
        return c.json({ detail: "WebSocket upgrade required", code: "upgrade_required" }, 426);
      }
      const credentials = webSocketAuthorization(c.req.raw, options.authHeaderName);
      let principal: Principal;
      try {
        principal = await options.authenticate(credentials, options.authContext?.(c));
      } catch (error) {
        if (error instanceof GatewayError && error.code === "unauthorized")
          c.header("WWW-Authenticate", 'Bearer realm="mcpgateway"');
        throw error;
      }
      if (!mayCreate(principal, "gateways", null))
        throw new GatewayError(
          "forbidden",
          "publishing a server through a reverse proxy needs gateways.create",
        );
      c.set("principal", principal);
      const origin: TunnelOrigin = {
        remoteAddress: options.authContext?.(c).ip,
        userAgent: c.req.header("user-agent"),
        principal: principal.subject,
      };
      return (await accept(principal, origin, redactedUrl(c.req.url))(c, next)) ?? undefined;
    },

    close() {
      tunnels.close();
    },
  };
}
