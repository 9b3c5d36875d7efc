import {
  LATEST_PROTOCOL_VERSION,
  SUPPORTED_PROTOCOL_VERSIONS,
  type WebStandardStreamableHTTPServerTransport,
} from "@modelcontextprotocol/server";
import { isJsonObject } from "./json-object.js";
import type { SessionClaims } from "./session-token.js";

type Json = Record<string, unknown>;

/** Only what identifies the client: icons or a long description would bloat every session id. */
function clientInfoOf(value: unknown): Json {
  if (!isJsonObject(value)) return {};
  const { name, version, title } = value;
  return {
    ...(typeof name === "string" ? { name } : {}),
    ...(typeof version === "string" ? { version } : {}),
    ...(typeof title === "string" ? { title } : {}),
  };
}

/**
 * The claims of the session an `initialize` body opens, with the protocol version negotiated the
 * way the SDK server does it (the requested one if supported, else the latest), so the id can be
 * minted before the server has answered.
 */
export function claimsOfInitialize(
  parsedBody: unknown,
  owner: string,
  scope: string,
): Omit<SessionClaims, "issuedAt"> {
  const params = isJsonObject(parsedBody) && isJsonObject(parsedBody.params) ? parsedBody.params : {};
  const requested = params.protocolVersion;
  const protocolVersion =
    typeof requested === "string" && SUPPORTED_PROTOCOL_VERSIONS.includes(requested)
      ? requested
      : LATEST_PROTOCOL_VERSION;
  return {
    owner,
    scope,
    protocolVersion,
    capabilities: isJsonObject(params.capabilities) ? params.capabilities : {},
    clientInfo: clientInfoOf(params.clientInfo),
  };
}

/**
 * Replays a session's opening handshake on a fresh transport (whose generator returns `id`):
 * the `initialize` the client once sent, then `notifications/initialized`, both through the
 * public `handleRequest`, their answers discarded. Resolves whether the session is now open.
 */
export async function replayHandshake(
  transport: WebStandardStreamableHTTPServerTransport,
  url: string,
  id: string,
  claims: SessionClaims,
): Promise<boolean> {
  const headers = { accept: "application/json, text/event-stream", "content-type": "application/json" };
  const initialize = await transport.handleRequest(new Request(url, { method: "POST", headers }), {
    parsedBody: {
      jsonrpc: "2.0",
      id: "contextforge-session-resume",
      method: "initialize",
      params: {
        protocolVersion: claims.protocolVersion,
        capabilities: claims.capabilities,
        clientInfo: { name: "unknown", version: "0", ...claims.clientInfo },
      },
    },
  });
  // The answer streams; reading it to its end waits until the server has initialized.
  await initialize.text();
  if (initialize.status !== 200 || transport.sessionId !== id) return false;
  const initialized = await transport.handleRequest(
    new Request(url, {
      method: "POST",
      headers: { ...headers, "mcp-session-id": id, "mcp-protocol-version": claims.protocolVersion },
    }),
    { parsedBody: { jsonrpc: "2.0", method: "notifications/initialized" } },
  );
  await initialized.body?.cancel();
  return initialized.status === 202;
}
