/**
 * The frames of a reverse proxy tunnel (`GET /reverse-proxy/ws`), one JSON object per text frame.
 * The proxy opens with `register`; the gateway answers `registered` (or `error` and closes), then
 * opens an MCP session with `open`, carries its JSON-RPC messages in `message` frames both ways
 * and ends it with `close`; the proxy reports a session its local server ended with `closed`.
 * Heartbeats are WebSocket pings, from both sides.
 */
export type TunnelFrame =
  | { readonly type: "register"; readonly name: string; readonly description?: string }
  | { readonly type: "registered"; readonly gatewayId: string; readonly slug: string }
  | { readonly type: "error"; readonly message: string }
  | { readonly type: "open"; readonly session: string }
  | { readonly type: "close"; readonly session: string }
  | { readonly type: "closed"; readonly session: string }
  | { readonly type: "message"; readonly session: string; readonly message: unknown };

/** WebSocket close codes of the tunnel (4000-4999 is the application range). */
export const TUNNEL_CLOSE_CODES: {
  readonly badFrame: 4400;
  readonly nameTaken: 4409;
  readonly registrationFailed: 4502;
  readonly replaced: 4001;
} = { badFrame: 4400, nameTaken: 4409, registrationFailed: 4502, replaced: 4001 };

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
  switch (frame.type) {
    case "register":
      return typeof frame.name === "string" &&
        (frame.description === undefined || typeof frame.description === "string")
        ? (frame as TunnelFrame)
        : undefined;
    case "registered":
      return typeof frame.gatewayId === "string" && typeof frame.slug === "string"
        ? (frame as TunnelFrame)
        : undefined;
    case "error":
      return typeof frame.message === "string" ? (frame as TunnelFrame) : undefined;
    case "open":
    case "close":
    case "closed":
      return typeof frame.session === "string" ? (frame as TunnelFrame) : undefined;
    case "message":
      return typeof frame.session === "string" && typeof frame.message === "object" && frame.message !== null
        ? (frame as TunnelFrame)
        : undefined;
    default:
      return undefined;
  }
}
