import { GatewayError } from "../errors/gateway-error.js";
import type { DiscoveredUpstream, UpstreamTarget } from "../mcp/upstream/upstream-discovery.js";
import { gatewayIdOf, VIA_META_KEY } from "./federation-marker.js";

/** An upstream that is this very gateway: refused (422) rather than registered as its own peer. */
export class SelfPeerError extends GatewayError {
  constructor(selfId: string) {
    super(
      "validation_failed",
      `the upstream is this gateway itself (federation id ${selfId}): a gateway cannot be its own peer`,
    );
    this.name = "SelfPeerError";
  }
}

/** Discovers an upstream's items (`discoverUpstream` with the gateway's stdio options). */
export type DiscoverUpstream = (target: UpstreamTarget) => Promise<DiscoveredUpstream>;

/**
 * `discover` as a federated gateway runs it: its list requests carry the via marker naming this
 * gateway, so a peer leaves out what it imported from here (nothing is imported back), and an
 * upstream that turns out to be this very gateway (its list results name this gateway's id) is
 * refused with 422 rather than registered as its own peer.
 */
export function federatedDiscovery(
  discover: DiscoverUpstream,
  self: { readonly id: string },
): DiscoverUpstream {
  return async (target) => {
    const found = await discover({ ...target, meta: { ...target.meta, [VIA_META_KEY]: [self.id] } });
    if (gatewayIdOf(found.resultMeta) === self.id) throw new SelfPeerError(self.id);
    return found;
  };
}
