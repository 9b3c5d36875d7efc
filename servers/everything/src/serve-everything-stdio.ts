import { type StdioServerHandle, serveStdio } from "@modelcontextprotocol/server/stdio";
import { createEverythingServer } from "./everything-server.js";
import { EverythingState } from "./everything-state.js";

/** Options for {@link serveEverythingStdio}. */
export interface StdioOptions {
  readonly pageSize?: number;
  readonly version?: string;
  /** Receives diagnostic lines. Default: discard. */
  readonly log?: (line: string) => void;
}

/**
 * Serves the sample server on this process's stdin/stdout. The client's opening message picks
 * the era (`initialize` for 2025, `server/discover` or a `_meta` claim for 2026-07-28) and one
 * instance is pinned to the connection.
 */
export function serveEverythingStdio(options: StdioOptions = {}): StdioServerHandle {
  const state = new EverythingState();
  return serveStdio((ctx) => createEverythingServer({ ...options, state, era: ctx.era, live: true }));
}
