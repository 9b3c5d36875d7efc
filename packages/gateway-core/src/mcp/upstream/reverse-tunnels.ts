import { Client, type ClientCapabilities } from "@modelcontextprotocol/client";
import type { ReverseTunnel } from "./reverse-tunnel.js";
import type { ReverseTunnelConnector } from "./reverse-tunnel-connector.js";
import type { UpstreamClientInfo, UpstreamConnection } from "./upstream-connection.js";
import { UpstreamError } from "./upstream-error.js";

/** Options of {@link ReverseTunnels.openConnection}. */
export interface ReverseConnectionOptions {
  readonly clientInfo: UpstreamClientInfo;
  readonly capabilities?: ClientCapabilities;
}

/** The URL a reverse proxy gateway is stored (and named in messages) with: `reverse://<slug>`. */
export function reverseProxyUrl(slug: string): string {
  return `reverse://${slug}`;
}

/**
 * The connected reverse proxies, by their gateway's URL (`reverse://<slug>`). The upstream pool
 * and discovery open their sessions through it: one MCP session per connection, over the tunnel
 * connected at that moment; none connected fails at once (`unreachable`).
 */
export class ReverseTunnels implements ReverseTunnelConnector {
  readonly #tunnels = new Map<string, ReverseTunnel>();

  /** Connected tunnels. */
  get size(): number {
    return this.#tunnels.size;
  }

  /** The tunnel serving `url`, if one is connected. */
  get(url: string): ReverseTunnel | undefined {
    const tunnel = this.#tunnels.get(url);
    return tunnel?.open ? tunnel : undefined;
  }

  /** Makes `tunnel` serve `url`; returns the tunnel it replaced, if any (its owner closes it). */
  attach(url: string, tunnel: ReverseTunnel): ReverseTunnel | undefined {
    const previous = this.#tunnels.get(url);
    this.#tunnels.set(url, tunnel);
    return previous === tunnel ? undefined : previous;
  }

  /** Stops `tunnel` serving `url`; false when another tunnel serves it now (it was replaced). */
  detach(url: string, tunnel: ReverseTunnel): boolean {
    if (this.#tunnels.get(url) !== tunnel) return false;
    this.#tunnels.delete(url);
    return true;
  }

  /**
   * An SDK client whose `connect` opens a session through the tunnel serving `url`. The 2026-07-28
   * spec defines no binding for a tunnel, so the session is a 2025 `initialize` session, as for
   * WebSocket upstreams; the proxy gives each session a fresh local server process.
   */
  openConnection(url: string, options: ReverseConnectionOptions): UpstreamConnection {
    const client = new Client(
      { name: options.clientInfo.name, version: options.clientInfo.version },
      { versionNegotiation: { mode: "legacy" }, capabilities: { ...options.capabilities } },
    );
    let closing: Promise<void> | undefined;
    return {
      client,
      hasSessionId: false,
      connect: async (connectOptions) => {
        const tunnel = this.get(url);
        if (tunnel === undefined)
          throw new UpstreamError("unreachable", url, `reverse proxy ${url} is not connected`);
        await client.connect(tunnel.openSession(), connectOptions);
      },
      close() {
        closing ??= client.close().catch(() => {});
        return closing;
      },
    };
  }

  /** Closes every tunnel (the gateway is stopping). */
  close(): void {
    const tunnels = [...this.#tunnels.values()];
    this.#tunnels.clear();
    for (const tunnel of tunnels) tunnel.close(1001, "gateway shutting down");
  }
}
