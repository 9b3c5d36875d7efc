import { canSee, may, visibilityKey } from "../auth/access.js";
import type { Principal } from "../auth/principal.js";
import { GatewayError } from "../errors/gateway-error.js";
import type { RegistrySnapshot, SnapshotServer } from "../registry/registry-snapshot.js";

/** Which items a downstream session sees: one virtual server, or everything (`/mcp`), as whom. */
export interface McpView {
  readonly serverId: string | undefined;
  /** The caller; undefined only for the gateway's own internal views (everything). */
  readonly principal?: Principal | undefined;
  /**
   * The federation ids of the gateways the request has passed (its `_meta` via marker), the caller
   * last; undefined when the caller is no gateway.
   */
  readonly via?: readonly string[] | undefined;
}

// Filtered views per (immutable) snapshot view and visibility key: principals that see the same
// items share one filtered view, so lists stay precomputed and a call does no filtering.
const filtered = new WeakMap<SnapshotServer, Map<string, SnapshotServer>>();

function filterFor(server: SnapshotServer, principal: Principal): SnapshotServer {
  const key = visibilityKey(principal);
  if (key === "all") return server;
  let byKey = filtered.get(server);
  if (!byKey) {
    byKey = new Map();
    filtered.set(server, byKey);
  }
  let view = byKey.get(key);
  if (!view) {
    view = {
      ...server,
      tools: server.tools.filter((t) => canSee(principal, t.ownership)),
      resources: server.resources.filter((r) => canSee(principal, r.ownership)),
      prompts: server.prompts.filter((p) => canSee(principal, p.ownership)),
    };
    byKey.set(key, view);
  }
  return view;
}

/**
 * The items of `view` its principal may see (THE visibility rule of auth/access.ts, as on the
 * REST lists): the same for list and call, so a caller never calls what it cannot list. A virtual
 * server the caller may not see does not exist for it (404); a token bound to another virtual
 * server is refused (403).
 */
export function visibleServer(snapshot: RegistrySnapshot, view: McpView): SnapshotServer {
  const principal = view.principal;
  const scopedTo = principal?.token?.serverId;
  if (scopedTo !== undefined && view.serverId !== scopedTo) {
    throw new GatewayError("forbidden", `this token may only be used on virtual server ${scopedTo}`);
  }
  const server = view.serverId === undefined ? snapshot.all : snapshot.servers.get(view.serverId);
  if (!server || (principal && !canSee(principal, server.ownership))) {
    throw new GatewayError("not_found", `Server not found: ${view.serverId}`);
  }
  if (principal && view.serverId !== undefined && !may(principal, "servers.use", server.ownership)) {
    throw new GatewayError("forbidden", `you may not use virtual server ${view.serverId} (servers.use)`);
  }
  return principal ? filterFor(server, principal) : server;
}
