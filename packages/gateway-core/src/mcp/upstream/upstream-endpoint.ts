import type { UpstreamNetworkTransport } from "./upstream-connection.js";
import type { UpstreamStdioCommand } from "./upstream-stdio-connection.js";

/** A registered upstream MCP server, as the data path needs it. */
export type UpstreamEndpoint = UpstreamHttpEndpoint | UpstreamStdioEndpoint | UpstreamReverseEndpoint;

/**
 * Which upstream session a call of a downstream session uses.
 *
 * - `pooled`: sessions shared by every caller, picked by load (`maxSessionsPerUpstream`).
 * - `per_client`: one upstream session per downstream session (a 2025-era streamable HTTP session,
 *   a legacy SSE session, a WebSocket connection), reused by all its calls and closed when it ends.
 * - `auto` (default): `per_client` when the upstream keeps state per session, `pooled` otherwise.
 *   A streamable HTTP upstream keeps state when it answers with an `Mcp-Session-Id` (2025-era
 *   sessions; a 2026-07-28 or stateless one does not); an SSE or WebSocket upstream always does
 *   (the connection is the session). A stdio process is one session too, but a process per
 *   downstream session is costly and capped (`STDIO_MAX_PROCESSES_PER_SERVER`), so `auto` shares
 *   it: choose `per_client` for a stdio server whose state must not be shared.
 *
 * Calls without a downstream session (2026-07-28 requests, `POST /rpc`) always use the shared
 * sessions, and so do resource subscriptions.
 */
export type UpstreamSessionMode = "pooled" | "per_client" | "auto";

interface UpstreamEndpointBase {
  readonly gatewayId: string;
  /** Changes whenever the registry changes the gateway (url, auth...): a new revision means a new session. */
  readonly revision: number;
  /** Default `auto`. */
  readonly sessionMode?: UpstreamSessionMode;
  /** Deadline of a call that sets none (`ctx.timeoutMs`); default: the pool's `defaultTimeoutMs`. */
  readonly timeoutMs?: number;
}

/** An upstream reached over the network: streamable HTTP, SSE or WebSocket. */
export interface UpstreamHttpEndpoint extends UpstreamEndpointBase {
  readonly url: string;
  readonly transport: UpstreamNetworkTransport;
  /**
   * Decrypted upstream credentials, sent on every request (WebSocket: on the opening handshake).
   * Never logged or echoed.
   */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Streamable HTTP only. `auto` (default) negotiates the newest protocol (2026-07-28 probe,
   * 2025 fallback); `legacy` opens a 2025 session directly, saving the probe when discovery
   * already found the upstream to be 2025-only.
   */
  readonly versionNegotiation?: "auto" | "legacy";
}

/**
 * A stdio server the gateway runs itself (through the pool's stdio supervisor): one process per
 * pooled session, started on first use, stopped when the session idles out or closes.
 */
export interface UpstreamStdioEndpoint extends UpstreamEndpointBase, UpstreamStdioCommand {
  readonly transport: "STDIO";
  /** Names the upstream in messages, e.g. `stdio://<slug>`. */
  readonly url: string;
  /** `auto` (default) probes for 2026-07-28 and falls back to `initialize`; `legacy` skips the probe. */
  readonly versionNegotiation?: "auto" | "legacy";
}

/**
 * A server published by a reverse proxy (`mcpreverseproxy`) through its tunnel to the gateway:
 * one upstream session per pool session, only while the proxy is connected.
 */
export interface UpstreamReverseEndpoint extends UpstreamEndpointBase {
  readonly transport: "REVERSE";
  /** `reverse://<slug>`: which tunnel serves it. */
  readonly url: string;
  /** Always a 2025 `initialize` session through a tunnel. */
  readonly versionNegotiation?: undefined;
}
