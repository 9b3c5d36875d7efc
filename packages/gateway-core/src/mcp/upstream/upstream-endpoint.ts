import type { UpstreamHttpTransport } from "./upstream-connection.js";
import type { UpstreamStdioCommand } from "./upstream-stdio-connection.js";

/** A registered upstream MCP server, as the data path needs it. */
export type UpstreamEndpoint = UpstreamHttpEndpoint | UpstreamStdioEndpoint;

interface UpstreamEndpointBase {
  readonly gatewayId: string;
  /** Changes whenever the registry changes the gateway (url, auth...): a new revision means a new session. */
  readonly revision: number;
}

/** An upstream reached over streamable HTTP or SSE. */
export interface UpstreamHttpEndpoint extends UpstreamEndpointBase {
  readonly url: string;
  readonly transport: UpstreamHttpTransport;
  /** Decrypted upstream credentials, sent on every request. Never logged or echoed. */
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
