import { Client, type ClientCapabilities } from "@modelcontextprotocol/client";
import type { UpstreamClientInfo, UpstreamConnection } from "./upstream-connection.js";
import { UpstreamError } from "./upstream-error.js";

/** Opens MCP sessions through connected reverse proxies (`ReverseTunnels` is the implementation). */
export interface ReverseTunnelConnector {
  /** A client whose `connect` opens a session through the tunnel serving `url` (`reverse://<slug>`). */
  openConnection(
    url: string,
    options: { readonly clientInfo: UpstreamClientInfo; readonly capabilities?: ClientCapabilities },
  ): UpstreamConnection;
}

/** A connection that always fails to connect: no reverse proxies are served here. */
export function unreachableConnection(url: string, clientInfo: UpstreamClientInfo): UpstreamConnection {
  const client = new Client({ name: clientInfo.name, version: clientInfo.version });
  return {
    client,
    hasSessionId: false,
    connect: () =>
      Promise.reject(new UpstreamError("unreachable", url, `reverse proxy ${url} is not connected`)),
    close: () => Promise.resolve(),
  };
}
