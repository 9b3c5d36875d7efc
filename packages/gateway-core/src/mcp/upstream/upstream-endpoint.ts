import type { UpstreamHttpTransport } from "./upstream-connection.js";

/** A registered upstream MCP server, as the data path needs it. */
export interface UpstreamEndpoint {
  readonly gatewayId: string;
  readonly url: string;
  readonly transport: UpstreamHttpTransport;
  /** Decrypted upstream credentials, sent on every request. Never logged or echoed. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Changes whenever the registry changes the gateway (url, auth...): a new revision means a new session. */
  readonly revision: number;
  /**
   * Streamable HTTP only. `auto` (default) negotiates the newest protocol (2026-07-28 probe,
   * 2025 fallback); `legacy` opens a 2025 session directly, saving the probe when discovery
   * already found the upstream to be 2025-only.
   */
  readonly versionNegotiation?: "auto" | "legacy";
}
