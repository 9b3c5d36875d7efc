import { Client, type ClientCapabilities, type Transport } from "@modelcontextprotocol/client";
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

/** Tunnels connected to other replicas (`TunnelRelay`): sessions through them travel on the bus. */
export interface RemoteTunnels {
  /** The replica holding the tunnel of `url`, if any does. */
  holderOf(url: string): Promise<string | undefined>;
  /** A transport for a new session through the tunnel of `url` that `holder` holds. */
  openSession(url: string, holder: string): Transport;
  /** This replica now holds (or no longer holds) the tunnel of `url`. */
  attached(url: string): void;
  detached(url: string): void;
}

/**
 * The connected reverse proxies, by their gateway's URL (`reverse://<slug>`). The upstream pool
 * and discovery open their sessions through it: one MCP session per connection, over the tunnel
 * connected at that moment; none connected fails at once (`unreachable`).
 */
export class ReverseTunnels implements ReverseTunnelConnector {
  readonly #tunnels = new Map<string, ReverseTunnel>();
  #remote: RemoteTunnels | undefined;

  /** Lets sessions reach tunnels connected to other replicas (several replicas on one bus). */
  useRemote(remote: RemoteTunnels): void {
    this.#remote = remote;
    for (const url of this.#tunnels.keys()) remote.attached(url);
  }

  /** URLs of the tunnels connected here. */
  urls(): string[] {
    return [...this.#tunnels.keys()];
  }

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
    this.#remote?.attached(url);
    return previous === tunnel ? undefined : previous;
  }

  /** Stops `tunnel` serving `url`; false when another tunnel serves it now (it was replaced). */
  detach(url: string, tunnel: ReverseTunnel): boolean {
    if (this.#tunnels.get(url) !== tunnel) return false;
    this.#tunnels.delete(url);
    this.#remote?.detached(url);
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
        if (tunnel !== undefined) {
          await client.connect(tunnel.openSession(), connectOptions);
          return;
        }
        // Connected to another replica: the session's frames travel through it.
        const holder = await this.#remote?.holderOf(url);
        if (holder === undefined || this.#remote === undefined)
          throw new UpstreamError("unreachable", url, `reverse proxy ${url} is not connected`);
        await client.connect(this.#remote.openSession(url, holder), connectOptions);
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
