import { type ChildProcessByStdio, spawn } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { type DecodedLine, encodeJsonRpcLine, JsonRpcLineDecoder } from "./json-rpc-line-decoder.js";

/** Options of {@link StdioChild.start}. */
export interface StdioChildOptions {
  readonly command: string;
  readonly args?: readonly string[];
  readonly cwd?: string;
  /** The child's whole environment (nothing is inherited unless you pass it). */
  readonly env?: Readonly<Record<string, string>>;
  /** Called for every line the child writes to stdout. */
  readonly onLine: (line: DecodedLine) => void;
  /** Called for every chunk the child writes to stderr. */
  readonly onStderr?: (text: string) => void;
}

/** How a child ended. */
export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * A stdio MCP server as a child process, in its own process group so that closing it also ends
 * anything it spawned. {@link close} ends stdin, then sends SIGTERM and finally SIGKILL to the
 * whole group, so no process outlives its owner.
 */
export class StdioChild {
  readonly pid: number;
  readonly exited: Promise<ChildExit>;
  readonly #child: ChildProcessByStdio<Writable, Readable, Readable>;
  #exit: ChildExit | undefined;
  /** Whether stdin is corked until the next check phase (see {@link send}). */
  #corked = false;

  private constructor(
    child: ChildProcessByStdio<Writable, Readable, Readable>,
    pid: number,
    options: StdioChildOptions,
  ) {
    this.#child = child;
    this.pid = pid;
    const decoder = new JsonRpcLineDecoder();
    child.stdout.on("data", (chunk: Buffer) => {
      for (const line of decoder.push(chunk)) options.onLine(line);
    });
    child.stdout.on("end", () => {
      for (const line of decoder.end()) options.onLine(line);
    });
    child.stderr.setEncoding("utf8").on("data", (text: string) => options.onStderr?.(text));
    // A child that exits early must not crash us with EPIPE on its stdin.
    child.stdin.on("error", () => {});
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        this.#exit = { code, signal };
        resolve(this.#exit);
      });
    });
  }

  /** Spawns the child; rejects when the command cannot be started (e.g. ENOENT). */
  static start(options: StdioChildOptions): Promise<StdioChild> {
    const child = spawn(options.command, options.args ?? [], {
      cwd: options.cwd,
      env: options.env ?? {},
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
    });
    return new Promise((resolve, reject) => {
      child.once("error", reject);
      child.once("spawn", () => {
        child.off("error", reject);
        resolve(new StdioChild(child, child.pid ?? -1, options));
      });
    });
  }

  /** True until the child has exited. */
  get running(): boolean {
    return this.#exit === undefined;
  }

  /**
   * Writes one message as a line on the child's stdin; false when the child is gone. Lines sent
   * in one turn of the event loop go out in one write (the pipe is corked until the loop's check
   * phase): with many calls in flight the child is woken once per batch, not once per message.
   */
  send(message: unknown): boolean {
    const { stdin } = this.#child;
    if (!this.running || stdin.destroyed) return false;
    if (!this.#corked) {
      this.#corked = true;
      stdin.cork();
      setImmediate(() => {
        this.#corked = false;
        stdin.uncork();
      });
    }
    stdin.write(encodeJsonRpcLine(message));
    return true;
  }

  /**
   * Ends the child: closes stdin (the MCP way to ask a stdio server to stop), then after
   * `graceMs` SIGTERM to its process group, then after another `graceMs` SIGKILL.
   */
  async close(graceMs = 2_000): Promise<ChildExit> {
    if (this.#exit) return this.#exit;
    this.#child.stdin.end();
    const term = setTimeout(() => this.#signalGroup("SIGTERM"), graceMs);
    const kill = setTimeout(() => this.#signalGroup("SIGKILL"), 2 * graceMs);
    const exit = await this.exited;
    clearTimeout(term);
    clearTimeout(kill);
    // The leader is gone; make sure nothing it started survives it.
    this.#signalGroup("SIGKILL");
    return exit;
  }

  #signalGroup(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, signal);
    } catch {
      // The group is already empty.
    }
  }
}
