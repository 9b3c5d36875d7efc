import { GatewayError } from "../errors/gateway-error.js";
import type { GatewayCreate, GatewayRead } from "../registry/gateways/gateway-schema.js";
import type { GatewayService } from "../registry/gateways/gateway-service.js";
import type { MdnsPeer } from "./mdns-peer.js";
import { SelfPeerError } from "./peer-discovery.js";

/** What mDNS discovery does with a peer it found. */
export interface PeerRegistrar {
  /** Whether a gateway with the peer's federation id or URL is registered already (enabled or not). */
  isKnown(peer: MdnsPeer): Promise<boolean>;
  /**
   * Registers the peer as a gateway: when `approve`, enabled and discovered (pending approval when
   * that fails, e.g. the peer wants credentials), else pending approval (disabled, not contacted).
   */
  register(peer: MdnsPeer, approve: boolean): Promise<GatewayRead>;
}

/** Tag of every gateway registered by mDNS discovery. */
export const MDNS_TAG = "mdns";

/** Registers peers through the gateway service, so they are stored and versioned like any gateway. */
export function createPeerRegistrar(gateways: GatewayService): PeerRegistrar {
  const create = async (
    input: GatewayCreate,
    pending: { federationId?: string; lastError?: string } | undefined,
  ) => gateways.create(input, undefined, pending ? { pendingApproval: pending } : {});

  /** Creates it under the peer's name, or (name taken) with its id appended. */
  const createNamed = async (
    peer: MdnsPeer,
    pending: { federationId?: string; lastError?: string } | undefined,
  ): Promise<GatewayRead> => {
    const input: GatewayCreate = {
      name: gatewayName(peer.name),
      url: peer.url,
      transport: "STREAMABLEHTTP",
      description: `Found by mDNS discovery: ${peer.name} (${peer.protocolVersions.join(", ") || "versions unknown"})`,
      tags: [MDNS_TAG],
    };
    try {
      return await create(input, pending);
    } catch (error) {
      if (!(error instanceof GatewayError && error.code === "conflict")) throw error;
      const suffix = (peer.federationId ?? crypto.randomUUID()).slice(0, 8);
      return create({ ...input, name: gatewayName(`${peer.name} ${suffix}`) }, pending);
    }
  };

  return {
    async isKnown(peer) {
      for (let cursor: string | undefined; ; ) {
        const page = await gateways.list({
          includeInactive: true,
          tags: [],
          limit: 500,
          cursor,
          includePagination: true,
          gatewayId: undefined,
          teamId: undefined,
          visibility: undefined,
        });
        const known = page.items.some(
          (g) =>
            g.url === peer.url || (peer.federationId !== undefined && g.federationId === peer.federationId),
        );
        if (known) return true;
        if (page.nextCursor === null) return false;
        cursor = page.nextCursor;
      }
    },

    async register(peer, approve) {
      const pending = peer.federationId === undefined ? {} : { federationId: peer.federationId };
      if (!approve) return createNamed(peer, pending);
      try {
        return await createNamed(peer, undefined);
      } catch (error) {
        // Unreachable or refused (credentials needed, or it is this gateway): keep it for an
        // administrator to look at, with the reason; this gateway itself is never registered.
        if (!(error instanceof GatewayError) || error instanceof SelfPeerError) throw error;
        return createNamed(peer, { ...pending, lastError: error.message });
      }
    },
  };
}

/** A valid gateway name (letters, digits, spaces, `_ . -`; at most 64 characters here). */
function gatewayName(text: string): string {
  const name = text
    .replace(/[^A-Za-z0-9_.\-\s]+/g, "-")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 64)
    .trim();
  return /[A-Za-z0-9]/.test(name) ? name : "mdns-peer";
}
