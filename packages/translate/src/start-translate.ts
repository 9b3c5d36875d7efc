import { type StdioServerSpec, StdioSupervisor } from "@contextforge/mcp-transport";
import { describeUrls, startHttpExposure, type TranslateUrls } from "./http/start-http-exposure.js";
import {
  type ResolvedTranslateOptions,
  resolveTranslateOptions,
  type TranslateOptions,
} from "./options/translate-options.js";
import type { ChildConnector } from "./relay/child-channel.js";
import { DedicatedConnector } from "./relay/dedicated-connector.js";
import { SharedConnector } from "./relay/shared-connector.js";

export type { TranslateUrls } from "./http/start-http-exposure.js";

/** A running bridge, from {@link startTranslate}. */
export interface TranslateHandle {
  /** The bound port (useful with `port: 0`). */
  readonly port: number;
  readonly urls: TranslateUrls;
  /** Downstream sessions open now (with `stateless`: requests being served). */
  readonly sessionCount: number;
  /** Pids of the stdio children alive now. */
  childPids(): number[];
  /**
   * Stops accepting, ends every session and every child (waiting until they have exited), then
   * closes the listener; idempotent.
   */
  close(): Promise<void>;
}

const SERVER_ID = "stdio";

/**
 * Exposes a stdio MCP server over SSE, streamable HTTP (sessions, or `stateless`) and/or WebSocket
 * on one port. Throws a
 * `TranslateError` (`invalid_options`) for options that cannot work together; rejects when the
 * port cannot be bound.
 */
export async function startTranslate(options: TranslateOptions): Promise<TranslateHandle> {
  const resolved = resolveTranslateOptions(options);
  const log = resolved.logger;
  const spec: StdioServerSpec = {
    serverId: SERVER_ID,
    command: resolved.command,
    args: resolved.args,
    env: resolved.env,
    // Shared children: one per distinct --header-to-env values (and era), at most one per session.
    maxProcesses: resolved.maxSessions,
  };
  const mapped = new Set(resolved.headerToEnv.map((mapping) => mapping.env));
  const supervisor = new StdioSupervisor({
    maxProcesses: resolved.maxSessions,
    // A released child is stopped at once: it served its sessions (or the bridge is closing).
    idleTimeoutMs: 0,
    killGraceMs: resolved.killGraceMs,
    // A local bridge passes its whole environment on, as a shell would, except the variables
    // that --header-to-env sets: a request without the header must not get this process's value.
    inheritEnv: Object.keys(process.env).filter((name) => !mapped.has(name)),
    ...(resolved.onChildStderr ? { onStderr: resolved.onChildStderr } : {}),
  });
  const connector: ChildConnector = resolved.shared
    ? new SharedConnector({
        supervisor,
        spec,
        stateless: resolved.stateless,
        idleTimeoutMs: resolved.sessionIdleTimeoutMs,
        log,
      })
    : new DedicatedConnector(supervisor, spec);
  const exposure = await startHttpExposure({
    expose: resolved,
    connector,
    health: () => ({ children: supervisor.processCount }),
    release: () => supervisor.close(),
  });
  log(
    "info",
    `serving "${[resolved.command, ...resolved.args].join(" ")}" on ${describeUrls(exposure.urls)}${describeMode(resolved)}`,
  );
  return {
    port: exposure.port,
    urls: exposure.urls,
    get sessionCount(): number {
      return exposure.sessionCount;
    },
    childPids: () =>
      supervisor
        .processes()
        .map((info) => info.pid)
        .filter((pid) => pid !== undefined),
    close: () => exposure.close(),
  };
}

function describeMode(options: ResolvedTranslateOptions): string {
  const names = options.headerToEnv.map((mapping) => mapping.env).join(", ");
  const keyed = names === "" ? "" : ` keyed by ${names}`;
  if (options.stateless) return ` (stateless, shared children${keyed})`;
  if (options.shared) return names === "" ? " (shared child)" : ` (shared children${keyed})`;
  return names === "" ? "" : ` (each child gets ${names} from its session's request headers)`;
}
