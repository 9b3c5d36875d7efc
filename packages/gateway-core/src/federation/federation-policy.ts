import { ProtocolError } from "@modelcontextprotocol/server";
import type { SnapshotServer } from "../registry/registry-snapshot.js";
import { GATEWAY_ID_META_KEY, VIA_META_KEY } from "./federation-marker.js";

/**
 * JSON-RPC code (implementation-defined server error range) of a request refused by federation
 * rules: a loop, or more hops than FEDERATION_MAX_HOPS. `data.reason` says which.
 */
export const FEDERATION_REFUSED = -32004;

/** The federation rules the MCP router applies to each request, given the gateways it has passed. */
export interface FederationPolicy {
  /** This gateway's federation id. */
  readonly id: string;
  /** Refuses (-32004) a request that has passed more than FEDERATION_MAX_HOPS gateways. */
  admit(via: readonly string[] | undefined): void;
  /**
   * Refuses (-32004, a loop) to forward a request that has passed this gateway already, or to send
   * it to a peer gateway (`target`, its federation id) it has passed. Lists are answered from the
   * registry and never travel on, so only forwarded requests can loop.
   */
  checkForward(via: readonly string[] | undefined, target: string | undefined): void;
  /**
   * `server` without the items imported from a gateway the request has passed (the caller
   * above all): a gateway never re-exports to a peer what it got from it. Same object when none.
   */
  withoutPeers(server: SnapshotServer, via: readonly string[] | undefined): SnapshotServer;
  /** The `_meta` entries of a request forwarded upstream: the chain with this gateway appended. */
  forwardMeta(via: readonly string[] | undefined): Record<string, unknown>;
  /** The `_meta` entries of list results: this gateway's federation id. */
  listMeta(): Record<string, unknown>;
}

/** Options of {@link createFederationPolicy}. */
export interface FederationPolicyOptions {
  /** This gateway's federation id (read on each request: it is loaded at start). */
  readonly selfId: () => string;
  /** FEDERATION_MAX_HOPS: gateways a request may have passed before reaching this one. */
  readonly maxHops: number;
}

/** Creates the policy; `withoutPeers` views are computed once per snapshot view and peer set. */
export function createFederationPolicy(options: FederationPolicyOptions): FederationPolicy {
  if (!(Number.isSafeInteger(options.maxHops) && options.maxHops >= 0))
    throw new RangeError("maxHops must be an integer >= 0");
  const { selfId, maxHops } = options;
  // The peer gateways a view holds items of, and its views without some of them.
  const peersOf = new WeakMap<SnapshotServer, ReadonlySet<string>>();
  const filtered = new WeakMap<SnapshotServer, Map<string, SnapshotServer>>();

  const peerIds = (server: SnapshotServer): ReadonlySet<string> => {
    let peers = peersOf.get(server);
    if (!peers) {
      const ids = new Set<string>();
      for (const item of [...server.tools, ...server.resources, ...server.prompts]) {
        const id = item.upstream?.federationId;
        if (id !== undefined) ids.add(id);
      }
      peers = ids;
      peersOf.set(server, peers);
    }
    return peers;
  };

  return {
    get id() {
      return selfId();
    },

    admit(via) {
      if (via === undefined || via.length <= maxHops) return;
      throw new ProtocolError(
        FEDERATION_REFUSED,
        `Federation hop limit exceeded: the request has passed ${via.length} gateways, at most ${maxHops} allowed (FEDERATION_MAX_HOPS)`,
        { reason: "max_hops", via, maxHops },
      );
    },

    checkForward(via, target) {
      if (via === undefined) return;
      const self = selfId();
      if (via.includes(self)) {
        throw new ProtocolError(
          FEDERATION_REFUSED,
          `Federation loop detected: the request has already passed this gateway (${self})`,
          { reason: "loop", gatewayId: self, via },
        );
      }
      if (target !== undefined && via.includes(target)) {
        throw new ProtocolError(
          FEDERATION_REFUSED,
          `Federation loop detected: the request came through gateway ${target}, which provides this item; it is not sent back there`,
          { reason: "loop", gatewayId: self, peer: target, via },
        );
      }
    },

    withoutPeers(server, via) {
      if (via === undefined || via.length === 0) return server;
      const peers = peerIds(server);
      const hidden = [...new Set(via)].filter((id) => peers.has(id)).sort();
      if (hidden.length === 0) return server;
      const key = hidden.join(",");
      let byKey = filtered.get(server);
      if (!byKey) {
        byKey = new Map();
        filtered.set(server, byKey);
      }
      let view = byKey.get(key);
      if (!view) {
        const kept = (item: { upstream?: { federationId?: string | undefined } | undefined }) =>
          !hidden.includes(item.upstream?.federationId ?? "");
        view = {
          ...server,
          tools: server.tools.filter(kept),
          resources: server.resources.filter(kept),
          prompts: server.prompts.filter(kept),
        };
        byKey.set(key, view);
      }
      return view;
    },

    forwardMeta(via) {
      return { [VIA_META_KEY]: [...(via ?? []), selfId()] };
    },

    listMeta() {
      return { [GATEWAY_ID_META_KEY]: selfId() };
    },
  };
}
