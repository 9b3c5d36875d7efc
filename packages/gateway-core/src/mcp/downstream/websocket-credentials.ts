/** The WebSocket subprotocol of MCP; the only one the gateway ever selects. */
export const MCP_SUBPROTOCOL = "mcp";

/** Prefix of the subprotocol entry that carries a bearer token (`bearer.<token>`). */
const TOKEN_SUBPROTOCOL_PREFIX = "bearer.";

/**
 * The credentials of a WebSocket upgrade, as an `Authorization`-style value: the configured
 * header when present; else a `token` query parameter; else a `bearer.<token>` entry of
 * `Sec-WebSocket-Protocol`. Browsers' and the SDK v1 client's WebSockets cannot set headers,
 * hence the other two.
 */
export function webSocketAuthorization(request: Request, headerName: string): string | undefined {
  const header = request.headers.get(headerName);
  if (header) return header;
  const query = new URL(request.url).searchParams.get("token");
  if (query) return `Bearer ${query}`;
  for (const protocol of (request.headers.get("sec-websocket-protocol") ?? "").split(",")) {
    const entry = protocol.trim();
    if (entry.startsWith(TOKEN_SUBPROTOCOL_PREFIX) && entry.length > TOKEN_SUBPROTOCOL_PREFIX.length)
      return `Bearer ${entry.slice(TOKEN_SUBPROTOCOL_PREFIX.length)}`;
  }
  return undefined;
}

/** `url` with the value of its `token` query parameter replaced, fit for a log line. */
export function redactedUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.searchParams.has("token")) parsed.searchParams.set("token", "[redacted]");
  return `${parsed.pathname}${parsed.search}`;
}

/**
 * Picks the subprotocol to answer: `mcp` when offered, else none (token entries are never
 * echoed). Pass it to the `ws` server's `handleProtocols`.
 */
export function selectSubprotocol(offered: ReadonlySet<string>): string | false {
  return offered.has(MCP_SUBPROTOCOL) ? MCP_SUBPROTOCOL : false;
}
