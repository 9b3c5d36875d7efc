import { type ChildProcess, spawn } from "node:child_process";
import { processTree, readProcessTable } from "../measure/process-table.js";
import { removeScratchDirs } from "./environment.js";

/** Options for {@link SupervisedProcess.start}. */
export interface SupervisedSpawnOptions {
  readonly cwd?: string;
  /** The whole environment of the child (not merged with this process's). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * `ignore`: stdin is /dev/null and stdout/stderr are kept as output; `protocol`: stdin and
   * stdout are the caller's (an MCP stdio connection), stderr is kept as output.
   */
  readonly stdio?: "ignore" | "protocol";
}

const OUTPUT_LIMIT = 64 * 1024;
const live = new Set<SupervisedProcess>();

/**
 * A process the harness started, in its own process group. {@link SupervisedProcess.stop} ends
 * the group and any descendant that left it (a gateway puts each stdio upstream in a group of its
 * own), so nothing outlives a measurement; {@link killAllProcesses} does the same for every
 * process still running when the harness exits or is interrupted.
 */
export class SupervisedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly #exited: Promise<void>;
  #output = "";
  #running = true;
  readonly #watchers = new Set<() => void>();

  private constructor(name: string, child: ChildProcess) {
    this.name = name;
    this.child = child;
    this.pid = child.pid ?? -1;
    const keep = (chunk: string): void => {
      this.#output = (this.#output + chunk).slice(-OUTPUT_LIMIT);
      for (const watcher of this.#watchers) watcher();
    };
    child.stderr?.setEncoding("utf8").on("data", keep);
    if (child.stdin === null) child.stdout?.setEncoding("utf8").on("data", keep);
    this.#exited = new Promise((resolve) => {
      child.once("exit", () => {
        this.#running = false;
        live.delete(this);
        for (const watcher of this.#watchers) watcher();
        resolve();
      });
    });
  }

  /** Spawns `command args` (no shell) and resolves once the process is running. */
  static async start(
    name: string,
    command: string,
    args: readonly string[],
    options: SupervisedSpawnOptions,
  ): Promise<SupervisedProcess> {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: [options.stdio === "protocol" ? "pipe" : "ignore", "pipe", "pipe"],
    });
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", reject);
    });
    const supervised = new SupervisedProcess(name, child);
    live.add(supervised);
    return supervised;
  }

  get running(): boolean {
    return this.#running;
  }

  /** The last 64 KiB of what the process wrote (stderr, and stdout unless it is the protocol). */
  output(): string {
    return this.#output;
  }

  /** Resolves with the first match of `pattern` in the output; rejects on exit or timeout. */
  waitForOutput(pattern: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#watchers.delete(check);
      };
      const check = (): void => {
        const match = this.#output.match(pattern);
        if (match !== null) {
          done();
          resolve(match);
        } else if (!this.#running) {
          done();
          reject(new Error(`${this.name} exited before printing ${pattern}:\n${this.#output}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${this.name}: no ${pattern} within ${timeoutMs} ms:\n${this.#output}`));
      }, timeoutMs);
      this.#watchers.add(check);
      check();
    });
  }

  /** SIGTERM to the group, SIGKILL after `graceMs`, then SIGKILL to any descendant left. */
  async stop(graceMs = 3_000): Promise<void> {
    const tree = processTree([this.pid], readProcessTable());
    if (this.#running) {
      signalGroup(this.pid, "SIGTERM");
      const timer = setTimeout(() => signalGroup(this.pid, "SIGKILL"), graceMs);
      await this.#exited;
      clearTimeout(timer);
    }
    signalGroup(this.pid, "SIGKILL");
    for (const pid of tree) signalPid(pid, "SIGKILL");
    live.delete(this);
  }

  /** Synchronous last resort: SIGKILL to the process, its group and its descendants. */
  kill(): void {
    for (const pid of processTree([this.pid], readProcessTable())) signalPid(pid, "SIGKILL");
    signalGroup(this.pid, "SIGKILL");
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone.
  }
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // The process is gone.
  }
}

/** Kills every process the harness started that is still running (synchronously). */
export function killAllProcesses(): void {
  for (const supervised of live) supervised.kill();
  live.clear();
}

/**
 * Ends every started process and removes the scratch directories when the harness exits, is
 * interrupted or is terminated.
 */
export function installProcessCleanup(): void {
  process.once("exit", () => {
    killAllProcesses();
    removeScratchDirs();
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      process.stderr.write(`\nbench: ${signal}: stopping every process under test\n`);
      process.exit(130);
    });
  }
}
