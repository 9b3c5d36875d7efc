/**
 * The frames of the reverse proxy tunnel, one JSON object per WebSocket text frame (the gateway
 * gateway's `/reverse-proxy/ws`, the proxy is `mcpreverseproxy`; both import it from here):
 *
 * - proxy -> gateway `register` (first frame): the name (and description) to publish under;
 * - gateway -> proxy `registered` (the gateway's id and slug), or `error` and a close;
 * - gateway -> proxy `open` / `close`: an MCP session with the local server begins / ends
 *   (each session gets a fresh local process: a stdio server serves one session);
 * - both ways `message`: one JSON-RPC message of a session (the gateway is the MCP client);
 * - proxy -> gateway `closed`: the local server of a session exited.
 *
 * Heartbeats are WebSocket pings.
 */
export type TunnelFrame =
  | { readonly type: "register"; readonly name: string; readonly description?: string }
  | { readonly type: "registered"; readonly gatewayId: string; readonly slug: string }
  | { readonly type: "error"; readonly message: string }
  | { readonly type: "open"; readonly session: string }
  | { readonly type: "close"; readonly session: string }
  | { readonly type: "closed"; readonly session: string }
  | { readonly type: "message"; readonly session: string; readonly message: unknown };

/**
 * Close codes the gateway uses; a proxy gives up (exits) on {@link FATAL_CLOSE_CODES} and dials
 * again after the others:
 *
 * - `replaced` (4001): the same name connected again; the newer tunnel serves it;
 * - `closedByAdministrator` (4002): an administrator closed the tunnel
 *   (`DELETE /reverse-proxy/sessions/{id}`); the proxy reconnects and registers again;
 * - `badFrame` (4400): not a frame of the protocol, or no `register` first;
 * - `nameTaken` (4409): the name belongs to a gateway that is not a reverse proxy;
 * - `gatewayDeleted` (4410): the registration is gone (its gateway was deleted); registering
 *   again would re-create what an administrator removed;
 * - `registrationFailed` (4502): discovery through the tunnel failed.
 */
export const TUNNEL_CLOSE_CODES: {
  readonly replaced: 4001;
  readonly closedByAdministrator: 4002;
  readonly badFrame: 4400;
  readonly nameTaken: 4409;
  readonly gatewayDeleted: 4410;
  readonly registrationFailed: 4502;
} = {
  replaced: 4001,
  closedByAdministrator: 4002,
  badFrame: 4400,
  nameTaken: 4409,
  gatewayDeleted: 4410,
  registrationFailed: 4502,
};

/**
 * Closes after which reconnecting cannot help: the name belongs to another kind of gateway, a bad
 * frame, or the gateway was deleted.
 */
export const FATAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  TUNNEL_CLOSE_CODES.nameTaken,
  TUNNEL_CLOSE_CODES.badFrame,
  TUNNEL_CLOSE_CODES.gatewayDeleted,
]);

/** Encodes one frame. */
export function encodeTunnelFrame(frame: TunnelFrame): string {
  return JSON.stringify(frame);
}

/** Parses one frame; undefined when it is not JSON or not a frame of the protocol. */
export function parseTunnelFrame(text: string): TunnelFrame | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const frame = value as Record<string, unknown>;
  const text_ = (key: string): boolean => typeof frame[key] === "string";
  switch (frame.type) {
    case "register":
      return text_("name") && (frame.description === undefined || text_("description"))
        ? (frame as TunnelFrame)
        : undefined;
    case "registered":
      return text_("gatewayId") && text_("slug") ? (frame as TunnelFrame) : undefined;
    case "error":
      return text_("message") ? (frame as TunnelFrame) : undefined;
    case "open":
    case "close":
    case "closed":
      return text_("session") ? (frame as TunnelFrame) : undefined;
    case "message":
      return text_("session") && typeof frame.message === "object" && frame.message !== null
        ? (frame as TunnelFrame)
        : undefined;
    default:
      return undefined;
  }
}
