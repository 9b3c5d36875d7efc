import { ProtocolError } from "@modelcontextprotocol/server";

// The wire format of federation between ContextForge gateways. Both markers travel in `_meta`
// (a vendor-prefixed key, as the spec allows), so they work on every transport and per request,
// also over an upstream session many callers share.

/**
 * `params._meta` key of a request a gateway forwards: the federation ids of the gateways it has
 * passed, oldest first (as HTTP `Via`). The last one is the gateway that sent it.
 */
export const VIA_META_KEY = "io.contextforge/via";

/** `_meta` key of a gateway's list results: its federation id, so a registering gateway knows its peer. */
export const GATEWAY_ID_META_KEY = "io.contextforge/gateway-id";

/** What a federation id may look like (a UUID when generated; at most 64 safe characters when set). */
export const FEDERATION_ID_PATTERN: RegExp = /^[A-Za-z0-9._:-]{1,64}$/;

/** Longest `via` chain accepted at all (FEDERATION_MAX_HOPS refuses much shorter ones). */
const MAX_VIA_ENTRIES = 64;

/**
 * The `via` chain of a request's `_meta`: undefined when absent (the caller is no gateway).
 *
 * @throws {ProtocolError} -32602 when the marker is not an array of federation ids.
 */
export function viaChainOf(meta: unknown): readonly string[] | undefined {
  if (meta === null || typeof meta !== "object") return undefined;
  const via = (meta as Record<string, unknown>)[VIA_META_KEY];
  if (via === undefined) return undefined;
  if (
    !Array.isArray(via) ||
    via.length > MAX_VIA_ENTRIES ||
    !via.every((id) => typeof id === "string" && FEDERATION_ID_PATTERN.test(id))
  ) {
    throw new ProtocolError(
      -32602,
      `Invalid params: _meta["${VIA_META_KEY}"] must be an array of at most ${MAX_VIA_ENTRIES} gateway ids`,
    );
  }
  return via as string[];
}

/** The federation id a ContextForge gateway put in the `_meta` of its list results, if any. */
export function gatewayIdOf(meta: unknown): string | undefined {
  if (meta === null || typeof meta !== "object") return undefined;
  const id = (meta as Record<string, unknown>)[GATEWAY_ID_META_KEY];
  return typeof id === "string" && FEDERATION_ID_PATTERN.test(id) ? id : undefined;
}
