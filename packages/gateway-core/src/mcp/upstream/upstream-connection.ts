import {
  Client,
  type ClientCapabilities,
  type ConnectOptions,
  SSEClientTransport,
  type Transport,
} from "@modelcontextprotocol/client";
import { LeanHttpClientTransport } from "./lean-http-client-transport.js";
import { WebSocketClientTransport } from "./websocket-client-transport.js";

/** ContextForge's names for the network transports of an upstream (HTTP or WebSocket). */
export type UpstreamNetworkTransport = "STREAMABLEHTTP" | "SSE" | "WEBSOCKET";

/** How the gateway introduces itself to upstreams (`clientInfo`). */
export interface UpstreamClientInfo {
  readonly name: string;
  readonly version: string;
}

/** Options for {@link openUpstreamConnection}. */
export interface UpstreamConnectionOptions {
  readonly transport: UpstreamNetworkTransport;
  /** Sent on every request (HTTP) or on the opening handshake (WebSocket). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly clientInfo: UpstreamClientInfo;
  /** Client capabilities to declare (sampling, elicitation, roots). Default none. */
  readonly capabilities?: ClientCapabilities;
  /**
   * Streamable HTTP only: `auto` (default) probes for 2026-07-28 and falls back to the 2025
   * `initialize` handshake; `legacy` opens a 2025 session directly, skipping the probe.
   */
  readonly versionNegotiation?: "auto" | "legacy";
  /** WebSocket only: ping interval, a missed pong closes the connection; 0 turns pings off. Default 30000. */
  readonly pingIntervalMs?: number;
}

/** An SDK client and its transport, not yet connected; {@link UpstreamConnection.close} ends both. */
export interface UpstreamConnection {
  readonly client: Client;
  /** Opens the transport (for stdio: leases a process first) and runs the MCP handshake. */
  connect(options: ConnectOptions): Promise<void>;
  /** Whether the connection is a 2025-era streamable HTTP session with an `Mcp-Session-Id`. */
  readonly hasSessionId: boolean;
  /** Ends the upstream session (DELETE when sessionful) and closes the transport. Never throws. */
  close(): Promise<void>;
}

/** How long closing may wait for the upstream to acknowledge the end of its session. */
const SESSION_END_GRACE_MS = 1_000;

/**
 * Creates the SDK client and transport for a network upstream. Streamable HTTP negotiates the era
 * (`versionNegotiation: "auto"`: a `server/discover` probe, falling back to `initialize` for 2025
 * servers), so each upstream is spoken to in the newest protocol it supports. The legacy SSE
 * transport exists only in the 2024-11-05 era family, and the 2026-07-28 spec defines no WebSocket
 * binding, so both run the plain `initialize` handshake.
 */
export function openUpstreamConnection(url: URL, options: UpstreamConnectionOptions): UpstreamConnection {
  const transport = openTransport(url, options);
  const mode = options.transport === "STREAMABLEHTTP" ? (options.versionNegotiation ?? "auto") : "legacy";
  const client = new Client(
    { name: options.clientInfo.name, version: options.clientInfo.version },
    { versionNegotiation: { mode }, capabilities: { ...options.capabilities } },
  );
  let closing: Promise<void> | undefined;
  return {
    client,
    connect: (connectOptions) => client.connect(transport, connectOptions),
    get hasSessionId(): boolean {
      return transport instanceof LeanHttpClientTransport && transport.sessionId !== undefined;
    },
    close() {
      closing ??= closeConnection(client, transport);
      return closing;
    },
  };
}

function openTransport(url: URL, options: UpstreamConnectionOptions): Transport {
  if (options.transport === "WEBSOCKET") {
    return new WebSocketClientTransport(url, {
      ...(options.headers ? { headers: options.headers } : {}),
      ...(options.pingIntervalMs === undefined ? {} : { pingIntervalMs: options.pingIntervalMs }),
    });
  }
  if (options.transport === "SSE") {
    const requestInit: RequestInit = options.headers ? { headers: { ...options.headers } } : {};
    return new SSEClientTransport(url, { requestInit });
  }
  // The gateway sends upstreams static credentials only (no OAuth provider, no step-up, no
  // redirects), so the lean undici transport serves every streamable HTTP upstream: the SDK's
  // fetch and web-stream based transport costs several times its CPU per call. A future OAuth
  // upstream would take the SDK's StreamableHTTPClientTransport with its `authProvider`.
  return new LeanHttpClientTransport(url, options.headers ? { headers: options.headers } : {});
}

async function closeConnection(client: Client, transport: Transport): Promise<void> {
  if (transport instanceof LeanHttpClientTransport && transport.sessionId !== undefined) {
    // A sessionful (2025-era) upstream keeps server state until told otherwise. Closing the
    // transport afterwards aborts the DELETE if the grace runs out.
    await withinGrace(transport.terminateSession(), SESSION_END_GRACE_MS);
  }
  await client.close().catch(() => {});
  await transport.close().catch(() => {});
}

/** Waits for `promise` at most `ms`; ignores its outcome. */
async function withinGrace(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const grace = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  try {
    await Promise.race([promise.catch(() => {}), grace]);
  } finally {
    clearTimeout(timer);
  }
}
