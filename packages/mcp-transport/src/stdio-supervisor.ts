import { type BackoffOptions, backoffDelay, type ResolvedBackoff, resolveBackoff } from "./backoff.js";
import { buildChildEnvironment, DEFAULT_INHERITED_ENV } from "./child-environment.js";
import { registerExitCleanup } from "./exit-cleanup.js";
import type { ChildExit } from "./stdio-child.js";
import { type StdioLease, SupervisedLease } from "./stdio-lease.js";
import { SupervisedProcess, type SupervisedProcessState } from "./supervised-process.js";
import { SupervisorError } from "./supervisor-error.js";

/** A stdio MCP server as registered: how to start it. */
export interface StdioServerSpec {
  /** Identifies the server; backoff and the per-server cap count per server id. */
  readonly serverId: string;
  readonly command: string;
  readonly args?: readonly string[];
  /** Variables added to the minimal inherited environment (see `inheritEnv`). */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Processes of this server at once (shared and dedicated together). Default 4. */
  readonly maxProcesses?: number;
}

/** Options of {@link StdioSupervisor}. */
export interface StdioSupervisorOptions {
  /** Processes of all servers at once. Default 64. */
  readonly maxProcesses?: number;
  /** A process nobody leases is stopped after this long. Default 5 minutes. */
  readonly idleTimeoutMs?: number;
  /** Restart backoff of a crashing server. */
  readonly backoff?: BackoffOptions;
  /** Grace between closing stdin, SIGTERM and SIGKILL when stopping a process. Default 2 s. */
  readonly killGraceMs?: number;
  /** Parent variables a server inherits (when set). Default PATH, HOME, LANG. */
  readonly inheritEnv?: readonly string[];
  /** Receives what servers write to stderr (discarded by default). */
  readonly onStderr?: (text: string, source: { readonly serverId: string; readonly key: string }) => void;
}

/** One process as {@link StdioSupervisor.processes} reports it. */
export interface SupervisedProcessInfo {
  readonly serverId: string;
  readonly key: string;
  readonly pid: number | undefined;
  readonly state: SupervisedProcessState;
  readonly leases: number;
}

interface ServerState {
  /** Crashes in a row; decides the backoff. */
  failures: number;
  /** No start before this time (epoch ms). */
  retryAt: number;
  readonly live: Map<string, SupervisedProcess>;
  readonly stopping: Set<SupervisedProcess>;
}

const DEFAULT_SERVER_MAX_PROCESSES = 4;

/**
 * Runs stdio MCP servers on demand: a process starts on the first {@link acquire} of its key, is
 * shared by every lease with that key, and stops when nobody has held it for `idleTimeoutMs`.
 * A server that crashes is restarted on the next acquire, no sooner than its exponential backoff
 * allows; caps per server and in total fail fast. Every process runs in its own process group,
 * which is killed on stop, on {@link close}, and (synchronously) when the owner process exits.
 */
export class StdioSupervisor {
  readonly #maxProcesses: number;
  readonly #idleTimeoutMs: number;
  readonly #killGraceMs: number;
  readonly #backoff: ResolvedBackoff;
  readonly #inheritEnv: readonly string[];
  readonly #onStderr: StdioSupervisorOptions["onStderr"];
  readonly #servers = new Map<string, ServerState>();
  readonly #unregisterExitCleanup: () => void;
  #closing: Promise<void> | undefined;
  #closed = false;

  constructor(options: StdioSupervisorOptions = {}) {
    this.#maxProcesses = positiveInteger("maxProcesses", options.maxProcesses ?? 64);
    this.#idleTimeoutMs = nonNegative("idleTimeoutMs", options.idleTimeoutMs ?? 300_000);
    this.#killGraceMs = nonNegative("killGraceMs", options.killGraceMs ?? 2_000);
    this.#backoff = resolveBackoff(options.backoff);
    this.#inheritEnv = options.inheritEnv ?? DEFAULT_INHERITED_ENV;
    this.#onStderr = options.onStderr;
    this.#unregisterExitCleanup = registerExitCleanup(() => {
      for (const process of this.#allProcesses()) process.killSync();
    });
  }

  /** Processes alive now (starting, running, idle or stopping), over all servers. */
  get processCount(): number {
    let count = 0;
    for (const server of this.#servers.values()) count += server.live.size + server.stopping.size;
    return count;
  }

  /** The processes alive now, for metrics and the admin UI. */
  processes(): SupervisedProcessInfo[] {
    return this.#allProcesses().map((process) => ({
      serverId: process.serverId,
      key: process.key,
      pid: process.pid,
      state: process.state,
      leases: process.leases.size,
    }));
  }

  /**
   * Leases the process of `spec` for `key`, starting it if none runs. Leases with the same key
   * share a process: pass the server id (the default) to share one, or a session id for a process
   * of its own. Rejects with a {@link SupervisorError}: `capacity`, `backoff`, `start_failed`,
   * `closed`.
   */
  async acquire(spec: StdioServerSpec, key: string = spec.serverId): Promise<StdioLease> {
    for (;;) {
      this.#assertOpen(spec.serverId);
      // Looked up, not created: a refused acquire leaves no state behind.
      const server = this.#servers.get(spec.serverId);
      const existing = server?.live.get(key);
      if (existing) return this.#lease(existing);
      if (server && server.retryAt > Date.now()) {
        throw new SupervisorError(
          "backoff",
          `stdio server "${spec.serverId}" crashed ${server.failures} time(s) in a row; next start allowed at ${new Date(server.retryAt).toISOString()}`,
          { serverId: spec.serverId, retryAt: server.retryAt },
        );
      }
      const room = this.#makeRoom(spec, server);
      if (room === undefined) break;
      await room;
    }
    const server = this.#server(spec.serverId);
    const process = new SupervisedProcess({
      serverId: spec.serverId,
      key,
      command: spec.command,
      args: spec.args ?? [],
      cwd: spec.cwd,
      env: buildChildEnvironment(spec.env, this.#inheritEnv),
      onStderr: this.#onStderr && ((text) => this.#onStderr?.(text, { serverId: spec.serverId, key })),
      onExit: (exited, exit, requested, uptimeMs) => this.#onExit(exited, exit, requested, uptimeMs),
    });
    server.live.set(key, process);
    process.ready.catch(() => this.#onStartFailed(process));
    return this.#lease(process);
  }

  /** Stops every process (stdin, SIGTERM, SIGKILL to each group) and waits until all are gone. */
  close(): Promise<void> {
    this.#closed = true;
    this.#closing ??= (async () => {
      await Promise.all(this.#allProcesses().map((process) => this.#stop(process)));
      this.#unregisterExitCleanup();
    })();
    return this.#closing;
  }

  async #lease(process: SupervisedProcess): Promise<StdioLease> {
    clearTimeout(process.idleTimer);
    // Claimed before the child is up, so neither the idle timer nor an eviction can take it.
    const claim = {};
    process.leases.add(claim);
    let pid: number;
    try {
      pid = (await process.ready).pid;
    } catch (cause) {
      process.leases.delete(claim);
      throw new SupervisorError("start_failed", `stdio server "${process.serverId}" could not be started`, {
        serverId: process.serverId,
        cause,
      });
    }
    const release = (): void => {
      process.leases.delete(claim);
      this.#afterRelease(process);
    };
    if (this.#closed) {
      release();
      throw new SupervisorError("closed", "the stdio supervisor is closed", { serverId: process.serverId });
    }
    return new SupervisedLease(process, pid, release);
  }

  #afterRelease(process: SupervisedProcess): void {
    if (process.leases.size > 0 || process.state !== "idle") return;
    process.idleSince = Date.now();
    if (this.#idleTimeoutMs === 0) {
      void this.#stop(process);
      return;
    }
    clearTimeout(process.idleTimer);
    process.idleTimer = setTimeout(() => void this.#stop(process), this.#idleTimeoutMs);
    process.idleTimer.unref();
  }

  /** undefined when a process may start now; a promise to wait for when one is being freed. */
  #makeRoom(spec: StdioServerSpec, server: ServerState | undefined): Promise<void> | undefined {
    const serverCap = positiveInteger("spec.maxProcesses", spec.maxProcesses ?? DEFAULT_SERVER_MAX_PROCESSES);
    if (server && server.live.size + server.stopping.size >= serverCap) {
      return this.#freeSlot(spec.serverId, [server], `its cap of ${serverCap} process(es)`);
    }
    if (this.processCount >= this.#maxProcesses) {
      return this.#freeSlot(
        spec.serverId,
        [...this.#servers.values()],
        `the total cap of ${this.#maxProcesses}`,
      );
    }
    return undefined;
  }

  /** Stops the longest-idle process in scope, or waits for one being stopped; else fails fast. */
  #freeSlot(serverId: string, scope: readonly ServerState[], cap: string): Promise<void> {
    let victim: SupervisedProcess | undefined;
    const stopping: Promise<void>[] = [];
    for (const server of scope) {
      for (const process of server.live.values()) {
        if (process.state === "idle" && (!victim || process.idleSince < victim.idleSince)) victim = process;
      }
      for (const process of server.stopping) stopping.push(process.gone);
    }
    if (victim) return this.#stop(victim);
    if (stopping.length > 0) return Promise.race(stopping);
    throw new SupervisorError(
      "capacity",
      `stdio server "${serverId}" cannot start another process: ${cap} is reached`,
      {
        serverId,
      },
    );
  }

  #stop(process: SupervisedProcess): Promise<void> {
    const server = this.#servers.get(process.serverId);
    if (server && server.live.get(process.key) === process) {
      server.live.delete(process.key);
      server.stopping.add(process);
    }
    return process.stop(this.#killGraceMs).then(() => process.gone);
  }

  #onExit(process: SupervisedProcess, _exit: ChildExit, requested: boolean, uptimeMs: number): void {
    const server = this.#servers.get(process.serverId);
    if (server) {
      const healthy = uptimeMs >= this.#backoff.resetAfterMs;
      if (!requested) this.#recordFailure(server, healthy ? 1 : server.failures + 1);
      else if (healthy) server.failures = 0;
    }
    this.#forget(process);
  }

  #onStartFailed(process: SupervisedProcess): void {
    const server = this.#servers.get(process.serverId);
    // A command that cannot even be spawned is retried no faster than a crashing one.
    if (server) this.#recordFailure(server, server.failures + 1);
    this.#forget(process);
  }

  #recordFailure(server: ServerState, failures: number): void {
    server.failures = failures;
    server.retryAt = Date.now() + backoffDelay(this.#backoff, failures);
  }

  #forget(process: SupervisedProcess): void {
    clearTimeout(process.idleTimer);
    const server = this.#servers.get(process.serverId);
    if (!server) return;
    if (server.live.get(process.key) === process) server.live.delete(process.key);
    server.stopping.delete(process);
    // Only a server with a clean record and no processes is forgotten; a crashing one keeps its backoff.
    if (server.live.size === 0 && server.stopping.size === 0 && server.failures === 0) {
      this.#servers.delete(process.serverId);
    }
  }

  #server(serverId: string): ServerState {
    let server = this.#servers.get(serverId);
    if (!server) {
      server = { failures: 0, retryAt: 0, live: new Map(), stopping: new Set() };
      this.#servers.set(serverId, server);
    }
    return server;
  }

  #allProcesses(): SupervisedProcess[] {
    const all: SupervisedProcess[] = [];
    for (const server of this.#servers.values()) all.push(...server.live.values(), ...server.stopping);
    return all;
  }

  #assertOpen(serverId: string): void {
    if (this.#closed) throw new SupervisorError("closed", "the stdio supervisor is closed", { serverId });
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be an integer >= 1`);
  return value;
}

function nonNegative(name: string, value: number): number {
  if (!(value >= 0) || !Number.isFinite(value)) throw new RangeError(`${name} must be a finite number >= 0`);
  return value;
}
