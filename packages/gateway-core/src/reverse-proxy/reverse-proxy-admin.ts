import type { Kysely } from "kysely";
import { canSee, may, type Ownership } from "../auth/access.js";
import type { Principal } from "../auth/principal.js";
import type { DatabaseSchema } from "../db/database-schema.js";
import { GatewayError } from "../errors/gateway-error.js";
import { type ReverseGatewayRow, readReverseGateways } from "./reverse-gateway-repository.js";
import type { ReverseProxySession, ReverseProxySessions } from "./reverse-proxy-sessions.js";

/** A connected reverse proxy, as `GET /reverse-proxy/sessions` shows it. */
export interface ReverseProxySessionView {
  readonly session_id: string;
  readonly gateway_id: string;
  /** The gateway's name now (the name the proxy registered under, unless since renamed). */
  readonly gateway_name: string;
  /** The name the proxy registered under. */
  readonly name: string;
  readonly slug: string;
  /** `reverse://<slug>`. */
  readonly url: string;
  readonly enabled: boolean;
  readonly reachable: boolean;
  readonly connected_at: string;
  readonly registered_at: string;
  /** When the proxy was last heard from: a frame, a WebSocket ping or pong (its heartbeats). */
  readonly last_seen: string;
  readonly remote_address: string | null;
  readonly user_agent: string | null;
  /** The subject of the principal whose credentials opened the tunnel. */
  readonly registered_by: string;
  /** MCP sessions open through the tunnel now. */
  readonly open_sessions: number;
  readonly frames_sent: number;
  readonly frames_received: number;
}

/** `GET` and `DELETE /reverse-proxy/sessions`: the connected tunnels, by the usual visibility rule. */
export interface ReverseProxyAdmin {
  /** The registered tunnels whose gateway the caller may read, oldest first. */
  list(principal: Principal): Promise<ReverseProxySessionView[]>;
  /**
   * Closes the tunnel (close code `closedByAdministrator`: the proxy reconnects) and marks its
   * gateway unreachable before resolving. 404 when the caller cannot see it (or it is not connected
   * here), 403 when it sees it but lacks `gateways.delete`.
   */
  disconnect(principal: Principal, sessionId: string): Promise<void>;
}

/** Collaborators of {@link createReverseProxyAdmin}. */
export interface ReverseProxyAdminOptions {
  readonly db: Kysely<DatabaseSchema>;
  readonly sessions: ReverseProxySessions;
  /** Closes a session's tunnel by an administrator's request; resolves once its gateway is marked. */
  readonly close: (session: ReverseProxySession) => Promise<void>;
}

const ownershipOf = (row: ReverseGatewayRow): Ownership => ({
  visibility: row.visibility,
  teamId: row.teamId,
  ownerEmail: row.ownerEmail,
});

/** Creates the sessions' administration (the logic behind the routes). */
export function createReverseProxyAdmin(options: ReverseProxyAdminOptions): ReverseProxyAdmin {
  const { db, sessions } = options;

  const view = (session: ReverseProxySession, row: ReverseGatewayRow): ReverseProxySessionView => {
    const registration = session.registration;
    if (registration === undefined) throw new Error("an unregistered session has no view");
    const tunnel = session.tunnel;
    return {
      session_id: session.id,
      gateway_id: registration.gatewayId,
      gateway_name: row.name,
      name: registration.name,
      slug: row.slug,
      url: registration.url,
      enabled: row.enabled,
      reachable: row.reachable,
      connected_at: session.connectedAt,
      registered_at: registration.registeredAt,
      last_seen: session.lastSeen,
      remote_address: session.origin.remoteAddress ?? null,
      user_agent: session.origin.userAgent ?? null,
      registered_by: session.origin.principal,
      open_sessions: tunnel.sessionCount,
      frames_sent: tunnel.framesSent,
      frames_received: tunnel.framesReceived,
    };
  };

  return {
    async list(principal) {
      const registered = sessions.registered();
      const gateways = await readReverseGateways(
        db,
        registered.map((session) => session.registration?.gatewayId ?? ""),
      );
      const views: ReverseProxySessionView[] = [];
      for (const session of registered) {
        const row = gateways.get(session.registration?.gatewayId ?? "");
        // The same rule as GET /gateways/{id}: a tunnel shows what its gateway would.
        if (row !== undefined && may(principal, "gateways.read", ownershipOf(row)))
          views.push(view(session, row));
      }
      return views;
    },

    async disconnect(principal, sessionId) {
      const session = sessions.get(sessionId);
      const gatewayId = session?.registration?.gatewayId;
      const row =
        gatewayId === undefined ? undefined : (await readReverseGateways(db, [gatewayId])).get(gatewayId);
      // Existence is not revealed to whoever may not see the gateway.
      if (session === undefined || row === undefined || !canSee(principal, ownershipOf(row)))
        throw new GatewayError("not_found", `Reverse proxy session not found: ${sessionId}`);
      if (!may(principal, "gateways.delete", ownershipOf(row)))
        throw new GatewayError(
          "forbidden",
          "you may not disconnect this reverse proxy (gateways.delete on its gateway)",
        );
      await options.close(session);
    },
  };
}
