import { randomUUID } from "node:crypto";
import type { ReverseTunnel } from "../mcp/upstream/reverse-tunnel.js";

/** The gateway a tunnel registered as. */
export interface TunnelRegistration {
  readonly gatewayId: string;
  /** `reverse://<slug>`. */
  readonly url: string;
  /** The name the proxy registered under. */
  readonly name: string;
  readonly registeredAt: string;
}

/** Where a proxy connected from and who it authenticated as. */
export interface TunnelOrigin {
  readonly remoteAddress: string | undefined;
  readonly userAgent: string | undefined;
  /** The subject of the principal that opened the tunnel. */
  readonly principal: string;
}

/** One connected reverse proxy: its tunnel, where it came from, and once registered, its gateway. */
export class ReverseProxySession {
  /** The id `DELETE /reverse-proxy/sessions/{id}` names (new on every connection). */
  readonly id: string = randomUUID();
  readonly tunnel: ReverseTunnel;
  readonly origin: TunnelOrigin;
  readonly connectedAt: string = new Date().toISOString();
  #lastSeen: string = this.connectedAt;
  #registration: TunnelRegistration | undefined;

  constructor(tunnel: ReverseTunnel, origin: TunnelOrigin) {
    this.tunnel = tunnel;
    this.origin = origin;
  }

  /** When the proxy was last heard from: a frame, a ping or a pong. */
  get lastSeen(): string {
    return this.#lastSeen;
  }

  /** Its gateway, once the `register` frame was accepted. */
  get registration(): TunnelRegistration | undefined {
    return this.#registration;
  }

  /** The proxy was heard from now. */
  heard(): void {
    this.#lastSeen = new Date().toISOString();
  }

  /** Its registration was accepted. */
  registered(registration: TunnelRegistration): void {
    this.#registration = registration;
  }
}

/** The connected reverse proxies of this replica, by session id. */
export class ReverseProxySessions {
  readonly #sessions = new Map<string, ReverseProxySession>();

  /** Connected proxies (registered or not). */
  get size(): number {
    return this.#sessions.size;
  }

  add(session: ReverseProxySession): void {
    this.#sessions.set(session.id, session);
  }

  delete(session: ReverseProxySession): void {
    this.#sessions.delete(session.id);
  }

  /** The registered session of that id, if it is connected. */
  get(id: string): ReverseProxySession | undefined {
    const session = this.#sessions.get(id);
    return session?.registration === undefined ? undefined : session;
  }

  /** The registered sessions, oldest first. */
  registered(): ReverseProxySession[] {
    return [...this.#sessions.values()].filter((session) => session.registration !== undefined);
  }
}
