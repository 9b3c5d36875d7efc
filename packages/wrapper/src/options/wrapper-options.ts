import type { WrapperLogger } from "../logger.js";

/** What {@link startWrapper} needs; the CLI builds it from flags and environment variables. */
export interface WrapperOptions {
  /** The remote MCP endpoint, e.g. `https://gw.example.com/servers/ID/mcp`. */
  readonly url: URL;
  /** Sent on every HTTP request (`Authorization` from `--auth`, and every `--header`). */
  readonly headers: Readonly<Record<string, string>>;
  /** A request not answered within this many milliseconds gets a JSON-RPC error; 0: no limit. */
  readonly timeoutMs: number;
  /** Requests in flight to the remote at once. */
  readonly concurrency: number;
  /** Diagnostics; never written to stdout. */
  readonly logger: WrapperLogger;
}

/** `--timeout` when neither the flag nor `MCP_TOOL_CALL_TIMEOUT` is set, in seconds. */
export const DEFAULT_TIMEOUT_SECONDS = 60;

/** `--concurrency` when the flag is not set. */
export const DEFAULT_CONCURRENCY = 10;
