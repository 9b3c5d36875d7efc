import type { SnapshotUpstream } from "../registry/registry-snapshot.js";
import type { DownstreamSessionKey } from "./upstream/upstream-call-context.js";
import type { UpstreamSessionMode } from "./upstream/upstream-endpoint.js";

/** What a call to an upstream carries besides its arguments (relays to the downstream caller). */
export interface CallRelay {
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  readonly onProgress?: (progress: { progress: number; total?: number; message?: string }) => void;
  readonly onServerRequest?: (request: {
    method: string;
    params?: Record<string, unknown>;
    /** The upstream's id of the request (JSON-RPC id, or a 2026 upstream's inputRequests key). */
    id?: string | number;
  }) => Promise<Record<string, unknown>>;
  readonly onNotification?: (notification: { method: string; params?: Record<string, unknown> }) => void;
  /** The downstream's client capabilities, declared to a 2026-07-28 upstream for this call. */
  readonly clientCapabilities?: Record<string, unknown>;
  /** The 2025-era downstream session making the call (none for 2026-07-28 requests and /rpc). */
  readonly downstreamSession?: DownstreamSessionKey;
  /** `_meta` members added to the forwarded request (the federation `via` marker). */
  readonly meta?: Readonly<Record<string, unknown>>;
}

/** An upstream as the session pool addresses it: over HTTP or WebSocket, or a stdio command it runs. */
export type UpstreamAddress = (HttpUpstreamAddress | StdioUpstreamAddress | ReverseUpstreamAddress) &
  UpstreamCallPolicy;

/** How calls to an upstream are made, whatever its transport (the gateway's settings). */
export interface UpstreamCallPolicy {
  /** Whether downstream sessions share upstream sessions (default `auto`). */
  readonly sessionMode?: UpstreamSessionMode;
  /** Deadline of a call to this upstream, overriding the pool's default (`TOOL_TIMEOUT`). */
  readonly timeoutMs?: number;
}

/** An upstream over streamable HTTP, SSE or WebSocket. */
export interface HttpUpstreamAddress {
  readonly gatewayId: string;
  readonly url: string;
  readonly transport: "STREAMABLEHTTP" | "SSE" | "WEBSOCKET";
  readonly headers?: Readonly<Record<string, string>>;
  readonly revision: number;
}

/** A server published through a reverse proxy's tunnel; `url` is `reverse://<slug>`. */
export interface ReverseUpstreamAddress {
  readonly gatewayId: string;
  readonly url: string;
  readonly transport: "REVERSE";
  readonly revision: number;
}

/** A stdio upstream; `url` (`stdio://<slug>`) only names it in messages. */
export interface StdioUpstreamAddress {
  readonly gatewayId: string;
  readonly url: string;
  readonly transport: "STDIO";
  readonly command: string;
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  readonly revision: number;
}

/** The part of the upstream session pool the MCP router uses. */
export interface UpstreamCaller {
  callTool(
    endpoint: UpstreamAddress,
    name: string,
    args: Record<string, unknown> | undefined,
    ctx?: CallRelay,
  ): Promise<Record<string, unknown>>;
  readResource(endpoint: UpstreamAddress, uri: string, ctx?: CallRelay): Promise<Record<string, unknown>>;
  getPrompt(
    endpoint: UpstreamAddress,
    name: string,
    args: Record<string, string> | undefined,
    ctx?: CallRelay,
  ): Promise<Record<string, unknown>>;
  complete(
    endpoint: UpstreamAddress,
    params: Record<string, unknown>,
    ctx?: CallRelay,
  ): Promise<Record<string, unknown>>;
}

/** The pool's address of a snapshot upstream. */
export function addressOf(upstream: SnapshotUpstream): UpstreamAddress {
  const policy: UpstreamCallPolicy = {
    sessionMode: upstream.sessionMode,
    ...(upstream.timeoutMs === undefined ? {} : { timeoutMs: upstream.timeoutMs }),
  };
  if (upstream.transport === "STDIO") {
    // A STDIO row without a command is refused at registration; an empty one fails to start.
    const stdio = upstream.stdio ?? { command: "", args: [], env: {}, cwd: undefined };
    return {
      gatewayId: upstream.gatewayId,
      url: upstream.url,
      transport: "STDIO",
      command: stdio.command,
      args: stdio.args,
      env: stdio.env,
      ...(stdio.cwd === undefined ? {} : { cwd: stdio.cwd }),
      revision: upstream.revision,
      ...policy,
    };
  }
  if (upstream.transport === "REVERSE") {
    return {
      gatewayId: upstream.gatewayId,
      url: upstream.url,
      transport: "REVERSE",
      revision: upstream.revision,
      ...policy,
    };
  }
  return {
    gatewayId: upstream.gatewayId,
    url: upstream.url,
    transport: upstream.transport,
    ...(upstream.headers ? { headers: upstream.headers } : {}),
    revision: upstream.revision,
    ...policy,
  };
}
