import type {
  CallToolResult,
  CompleteResult,
  GetPromptResult,
  ReadResourceResult,
} from "@modelcontextprotocol/client";
import type { ReverseTunnelConnector } from "./reverse-tunnel-connector.js";
import type { UpstreamCallContext } from "./upstream-call-context.js";
import type { UpstreamClientInfo } from "./upstream-connection.js";
import type { UpstreamEndpoint } from "./upstream-endpoint.js";
import type { UpstreamStdioOptions } from "./upstream-stdio-connection.js";
import type { WatchedNotificationMethod } from "./upstream-watch.js";

// The pool's contract, apart from its implementation (which needs these types too).

/** The upstream's results, untouched: unknown members (`_meta`, `structuredContent`...) included. */
export type UpstreamCallToolResult = CallToolResult & Record<string, unknown>;
export type UpstreamReadResourceResult = ReadResourceResult & Record<string, unknown>;
export type UpstreamGetPromptResult = GetPromptResult & Record<string, unknown>;
export type UpstreamCompleteResult = CompleteResult & Record<string, unknown>;

/** An upstream notification that belongs to no call: a resource update or a list change. */
export interface UpstreamNotificationEvent {
  readonly gatewayId: string;
  readonly method: WatchedNotificationMethod;
  readonly params: Record<string, unknown>;
}

/** Options of {@link UpstreamPool.ping}. */
export interface UpstreamPingOptions {
  /** Deadline of the whole check, connecting included. */
  readonly timeoutMs: number;
  /**
   * stdio: start a process when none runs (default false: a stdio upstream without a running
   * process answers `not-running`, so health checks neither start processes nor keep them alive).
   */
  readonly startStdio?: boolean;
  readonly signal?: AbortSignal;
}

/**
 * What a ping found: `answered` (a JSON-RPC error counts: the upstream is alive), or
 * `not-running` (a stdio upstream with no process running, not pinged).
 */
export type UpstreamPingResult = "answered" | "not-running";

/**
 * Forwards downstream calls to upstream MCP servers over pooled, reused sessions: shared by every
 * caller, or one per downstream session for upstreams that keep state per session (the endpoint's
 * `sessionMode`; the call's `downstreamSession`). A downstream session's own upstream sessions are
 * closed when it ends.
 *
 * Failures reject with `UpstreamRpcError` (the upstream answered with a JSON-RPC error: relay it),
 * `UpstreamError` (`unreachable`, `timeout`, `unauthorized`, `protocol`), or, when `ctx.signal`
 * aborted, the signal's reason. A tool's own failure is a result with `isError: true`.
 */
export interface UpstreamPool {
  callTool(
    endpoint: UpstreamEndpoint,
    name: string,
    args: Record<string, unknown> | undefined,
    ctx?: UpstreamCallContext,
  ): Promise<UpstreamCallToolResult>;
  readResource(
    endpoint: UpstreamEndpoint,
    uri: string,
    ctx?: UpstreamCallContext,
  ): Promise<UpstreamReadResourceResult>;
  getPrompt(
    endpoint: UpstreamEndpoint,
    name: string,
    args: Record<string, string> | undefined,
    ctx?: UpstreamCallContext,
  ): Promise<UpstreamGetPromptResult>;
  complete(
    endpoint: UpstreamEndpoint,
    params: Record<string, unknown>,
    ctx?: UpstreamCallContext,
  ): Promise<UpstreamCompleteResult>;
  /**
   * Adds a subscriber of resource `uri` of the endpoint's gateway. Subscriptions are ref-counted:
   * the first subscriber subscribes upstream (`resources/subscribe` on a 2025 session, the URI set
   * of a `subscriptions/listen` stream on a 2026 one) and rejects when the upstream refuses; the
   * session holding them stays open while unused and they are made again when it is replaced.
   */
  subscribeResource(endpoint: UpstreamEndpoint, uri: string): Promise<void>;
  /** Removes a subscriber added by {@link subscribeResource}; the last one unsubscribes. Never throws. */
  unsubscribeResource(gatewayId: string, uri: string): Promise<void>;
  /** URIs of a gateway with at least one subscriber (for tests and metrics). */
  subscribedUris(gatewayId: string): string[];
  /**
   * Calls `listener` with every upstream notification that belongs to no call
   * (`notifications/resources/updated`, `notifications/{tools,resources,prompts}/list_changed`),
   * heard on open sessions; returns the function that stops it.
   */
  onNotification(listener: (event: UpstreamNotificationEvent) => void): () => void;
  /**
   * Sends an MCP `ping` (`server/discover` on a 2026-07-28 connection, which has no ping) on a shared session of the endpoint's gateway (opened when needed, then
   * reused by calls; never a downstream session's own), bounded by `options.timeoutMs`. A running
   * stdio process is pinged without counting as use: its idle timeout runs on. Rejects with
   * `UpstreamError` (`timeout` when the deadline passed), or the signal's reason when it aborted.
   */
  ping(endpoint: UpstreamEndpoint, options: UpstreamPingOptions): Promise<UpstreamPingResult>;
  /** Closes the sessions of a gateway, shared and per client (it changed or was deleted); its calls in flight fail. */
  invalidate(gatewayId: string): Promise<void>;
  /** Number of open upstream sessions, shared and per client (for tests and metrics). */
  readonly size: number;
  /** Closes every session; later calls reject. */
  close(): Promise<void>;
}

/** Options of {@link createUpstreamPool}. */
export interface UpstreamPoolOptions {
  /**
   * Per-call deadline when neither the call nor the endpoint sets one (counted while waiting for
   * the upstream, not while the client answers its requests); also bounds connecting.
   */
  readonly defaultTimeoutMs: number;
  /** How the gateway introduces itself to upstreams. */
  readonly clientInfo: UpstreamClientInfo;
  /**
   * A shared session unused this long is closed. Default 300000 (5 minutes). A downstream
   * session's own upstream sessions stay open as long as it does.
   */
  readonly idleTimeoutMs?: number;
  /**
   * Shared sessions per (gateway, revision). Default 1: every call multiplexes over one session.
   * Above 1, a call takes the least busy session and a new one opens while all are busy.
   */
  readonly maxSessionsPerUpstream?: number;
  /**
   * stdio upstreams: the supervisor that runs them (the caller closes it; without one the pool
   * makes its own, closed by {@link UpstreamPool.close}), the per-server cap, and the idle time
   * after which a stdio session and its process stop.
   */
  readonly stdio?: UpstreamStdioOptions;
  /** Where `REVERSE` upstreams' sessions go: the connected reverse proxies. Without it they are unreachable. */
  readonly reverseTunnels?: ReverseTunnelConnector;
  /** Receives failures of background work (re-subscribing, listen streams). Default: ignored. */
  readonly onBackgroundError?: (error: unknown, gatewayId: string) => void;
}
