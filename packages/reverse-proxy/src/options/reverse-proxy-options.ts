import type { ReverseProxyLogger } from "../logger.js";

/** Default first reconnection delay, seconds (then doubling, jittered, up to the maximum). */
export const DEFAULT_RECONNECT_DELAY_SECONDS = 1;
/** Default cap of the reconnection delay, seconds. */
export const DEFAULT_MAX_RECONNECT_DELAY_SECONDS = 60;
/** Default keepalive (WebSocket ping) interval, seconds (`--keepalive`, alias `--heartbeat`). */
export const DEFAULT_HEARTBEAT_SECONDS = 30;
/** Default `--max-retries`: 0, reconnect forever. */
export const DEFAULT_MAX_RETRIES = 0;

/** Options of {@link startReverseProxy}. */
export interface ReverseProxyOptions {
  /** The local stdio MCP server: program and arguments. */
  readonly command: readonly string[];
  /** The WebSocket URL of the gateway's `/reverse-proxy/ws`. */
  readonly url: URL;
  /** A bearer token of the gateway (needs `gateways.create`). */
  readonly token?: string;
  /** The name the server is registered under; its tools are prefixed with its slug. */
  readonly name: string;
  readonly description?: string;
  /**
   * First reconnection delay (ms); it doubles per failed attempt, with jitter. A local server that
   * exits unexpectedly is restarted with the same backoff.
   */
  readonly reconnectDelayMs: number;
  /** Upper bound of the reconnection delay (ms). */
  readonly maxReconnectDelayMs: number;
  /**
   * Failed reconnection attempts in a row (since the last registration) after which the proxy
   * gives up; 0 (the default) retries forever.
   */
  readonly maxRetries?: number;
  /** Ping interval (ms); a missed pong drops and re-dials the tunnel. 0 turns pings off. */
  readonly heartbeatMs: number;
  /** Variables passed to the local server (default: this process's whole environment). */
  readonly env?: Readonly<Record<string, string>>;
  readonly logger: ReverseProxyLogger;
}
