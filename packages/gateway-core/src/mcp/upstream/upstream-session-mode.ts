import type { UpstreamEndpoint } from "./upstream-endpoint.js";

/**
 * Whether a call of a downstream session gets an upstream session of its own (the rules are
 * those of `UpstreamSessionMode`). `stateful` is what the pool learned from the last session it
 * connected to this upstream at this revision: whether it answered with an `Mcp-Session-Id`
 * (undefined: none connected yet).
 */
export function wantsClientSession(endpoint: UpstreamEndpoint, stateful: boolean | undefined): boolean {
  // A tunnel carries one session at a time: every caller shares it.
  if (endpoint.transport === "REVERSE") return false;
  const mode = endpoint.sessionMode ?? "auto";
  if (mode !== "auto") return mode === "per_client";
  if (endpoint.transport === "STDIO") return false;
  // On SSE (and WebSocket) the connection itself is the upstream's session.
  if (endpoint.transport !== "STREAMABLEHTTP") return true;
  // Not known before a first session connects: take the stateful side; a session that turns out
  // stateless moves to the shared sessions (see the pool).
  return stateful ?? true;
}

/** Whether the pool learns an upstream's statefulness from its sessions (streamable HTTP in `auto`). */
export function learnsStatefulness(endpoint: UpstreamEndpoint): boolean {
  return (endpoint.sessionMode ?? "auto") === "auto" && endpoint.transport === "STREAMABLEHTTP";
}
