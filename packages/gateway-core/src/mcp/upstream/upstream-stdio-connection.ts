import {
  type StdioLease,
  StdioLeaseTransport,
  type StdioSupervisor,
  SupervisorError,
} from "@contextforge/mcp-transport";
import { Client, type ClientCapabilities, type ConnectOptions } from "@modelcontextprotocol/client";
import type { UpstreamClientInfo, UpstreamConnection } from "./upstream-connection.js";
import { UpstreamError } from "./upstream-error.js";

/** How to start a stdio MCP server. */
export interface UpstreamStdioCommand {
  readonly command: string;
  readonly args?: readonly string[];
  /** Variables for the server on top of the supervisor's minimal inherited environment. Secret. */
  readonly env?: Readonly<Record<string, string>>;
  /** Absolute working directory. */
  readonly cwd?: string;
}

/** Where stdio upstreams run: the gateway's shared supervisor and its per-server cap. */
export interface UpstreamStdioOptions {
  /** The supervisor that runs the processes; without one, a private one is made (and closed). */
  readonly supervisor?: StdioSupervisor;
  /** Processes of one stdio upstream at once. Default 4. */
  readonly maxProcessesPerServer?: number;
  /**
   * Pool only: a stdio session (and so its process) unused this long is closed. Default: the
   * pool's `idleTimeoutMs`.
   */
  readonly idleTimeoutMs?: number;
}

/** Options of {@link openStdioUpstreamConnection}. */
export interface StdioConnectionOptions {
  readonly supervisor: StdioSupervisor;
  /** The supervisor's server id: backoff and the per-server cap count per id (the gateway id). */
  readonly serverId: string;
  /** The supervisor's sharing key: unique per connection, since a process carries one session. */
  readonly key: string;
  /** Names the upstream in messages (`stdio://<slug>`). */
  readonly label: string;
  readonly maxProcessesPerServer?: number;
  readonly clientInfo: UpstreamClientInfo;
  readonly capabilities?: ClientCapabilities;
  /** `auto` (default) probes for 2026-07-28 and falls back to `initialize`; `legacy` skips the probe. */
  readonly versionNegotiation?: "auto" | "legacy";
}

/**
 * The lease transport, marked as a stdio child (`pid`, `stderr`) for the SDK's era negotiation:
 * a stdio server that ignores the `server/discover` probe is then a 2025 server (fallback to
 * `initialize`), where on HTTP silence would mean an outage.
 */
class SupervisedStdioTransport extends StdioLeaseTransport {
  readonly #lease: StdioLease;

  constructor(lease: StdioLease) {
    super(lease);
    this.#lease = lease;
  }

  get pid(): number {
    return this.#lease.child.pid;
  }

  /** stderr goes to the supervisor's `onStderr`, not through the transport. */
  get stderr(): null {
    return null;
  }
}

/**
 * An SDK client over a process leased from the supervisor. The process is leased at
 * {@link UpstreamConnection.connect} (so a refused start fails the connect, as a refused TCP
 * connection does) and released at close; with the gateway's supervisor (idle timeout 0) the
 * process then stops, so its lifetime is the session's.
 */
export function openStdioUpstreamConnection(
  command: UpstreamStdioCommand,
  options: StdioConnectionOptions,
): UpstreamConnection {
  const client = new Client(
    { name: options.clientInfo.name, version: options.clientInfo.version },
    {
      versionNegotiation: { mode: options.versionNegotiation ?? "auto" },
      capabilities: { ...options.capabilities },
    },
  );
  let lease: StdioLease | undefined;
  let closing: Promise<void> | undefined;

  const connect = async (connectOptions: ConnectOptions): Promise<void> => {
    const acquired = await leaseProcess(command, options);
    if (closing !== undefined) {
      acquired.release();
      throw new UpstreamError("unreachable", options.label, `connection to ${options.label} was closed`);
    }
    lease = acquired;
    let exitCode: number | null | undefined;
    lease.child.onExit((exit) => {
      exitCode = exit.code;
    });
    try {
      await client.connect(new SupervisedStdioTransport(lease), connectOptions);
    } catch (error) {
      if (exitCode === undefined) throw error;
      throw new UpstreamError(
        "unreachable",
        options.label,
        `stdio server ${options.label} exited (code ${exitCode}) before completing the MCP handshake`,
        { cause: error },
      );
    }
  };

  return {
    client,
    connect,
    hasSessionId: false,
    close() {
      closing ??= (async () => {
        await client.close().catch(() => {});
        // The transport releases the lease on close; a lease whose connect failed early is released here.
        lease?.release();
      })();
      return closing;
    },
  };
}

async function leaseProcess(
  command: UpstreamStdioCommand,
  options: StdioConnectionOptions,
): Promise<StdioLease> {
  try {
    return await options.supervisor.acquire(
      {
        serverId: options.serverId,
        command: command.command,
        ...(command.args ? { args: command.args } : {}),
        ...(command.env ? { env: command.env } : {}),
        ...(command.cwd ? { cwd: command.cwd } : {}),
        ...(options.maxProcessesPerServer ? { maxProcesses: options.maxProcessesPerServer } : {}),
      },
      options.key,
    );
  } catch (error) {
    if (!(error instanceof SupervisorError)) throw error;
    throw new UpstreamError("unreachable", options.label, supervisorMessage(error, options.label), {
      cause: error,
    });
  }
}

function supervisorMessage(error: SupervisorError, label: string): string {
  switch (error.code) {
    case "start_failed":
      return `cannot start stdio server ${label}: ${(error.cause as Error | undefined)?.message ?? "spawn failed"}`;
    case "backoff":
      return `stdio server ${label} crashed recently; next start in ${error.retryAfterMs ?? 0} ms`;
    case "capacity":
      return `cannot start stdio server ${label}: too many stdio processes (${error.message})`;
    case "closed":
      return `cannot start stdio server ${label}: the gateway is shutting down`;
  }
}
