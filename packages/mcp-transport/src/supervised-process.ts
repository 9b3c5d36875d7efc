import { type ChildExit, StdioChild } from "./stdio-child.js";

/** What a supervised process is doing now. */
export type SupervisedProcessState = "starting" | "running" | "idle" | "stopping" | "exited";

/** How to start one supervised process and whom to tell when it ends. */
export interface SupervisedProcessOptions {
  readonly serverId: string;
  readonly key: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string | undefined;
  readonly env: Readonly<Record<string, string>>;
  readonly onStderr: ((text: string) => void) | undefined;
  /** Called once when the child has exited; `requested` is false for a crash. */
  readonly onExit: (
    process: SupervisedProcess,
    exit: ChildExit,
    requested: boolean,
    uptimeMs: number,
  ) => void;
}

/**
 * One child process owned by the supervisor: the child, who leases it, and the fan-out of its
 * output to the subscribers of those leases. The supervisor decides when it starts and stops.
 */
export class SupervisedProcess {
  readonly serverId: string;
  readonly key: string;
  /** Resolves with the spawned child; rejects when the command cannot be started. */
  readonly ready: Promise<StdioChild>;
  /** Resolves once the process is gone: exited, or never started. */
  readonly gone: Promise<void>;
  /** Claims on this process: one per lease, taken before the child is even spawned. */
  readonly leases: Set<object> = new Set();
  idleTimer: NodeJS.Timeout | undefined;
  /** When the last lease was released (for choosing which idle process to stop first). */
  idleSince = 0;
  readonly #messageListeners = new Set<(message: unknown) => void>();
  readonly #invalidLineListeners = new Set<(error: string, line: string) => void>();
  readonly #exitListeners = new Set<(exit: ChildExit) => void>();
  #child: StdioChild | undefined;
  #exit: ChildExit | undefined;
  #stopping: Promise<void> | undefined;

  constructor(options: SupervisedProcessOptions) {
    this.serverId = options.serverId;
    this.key = options.key;
    this.ready = StdioChild.start({
      command: options.command,
      args: options.args,
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      env: options.env,
      onLine: (line) => {
        if (line.ok) for (const listener of this.#messageListeners) listener(line.message);
        else for (const listener of this.#invalidLineListeners) listener(line.error, line.line);
      },
      onStderr: (text) => options.onStderr?.(text),
    }).then((child) => {
      this.#child = child;
      const startedAt = Date.now();
      void child.exited.then((exit) => {
        this.#exit = exit;
        const requested = this.#stopping !== undefined;
        // The leader is gone; whatever it spawned in its group goes with it, crash or not.
        this.killSync();
        for (const listener of this.#exitListeners) listener(exit);
        options.onExit(this, exit, requested, Date.now() - startedAt);
      });
      return child;
    });
    this.gone = this.ready.then(
      (child) => child.exited.then(() => undefined),
      () => undefined,
    );
  }

  /** The child's pid once spawned. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get state(): SupervisedProcessState {
    if (this.#exit) return "exited";
    if (this.#stopping !== undefined) return "stopping";
    if (!this.#child) return "starting";
    return this.leases.size === 0 ? "idle" : "running";
  }

  /** True while the child runs and is not being stopped. */
  get running(): boolean {
    return this.#child !== undefined && this.#exit === undefined && this.#stopping === undefined;
  }

  /** How the child ended, once it has. */
  get exit(): ChildExit | undefined {
    return this.#exit;
  }

  /** Writes one message to the child; false when it is not running. */
  send(message: unknown): boolean {
    return this.running && (this.#child?.send(message) ?? false);
  }

  onMessage(listener: (message: unknown) => void): () => void {
    return subscribe(this.#messageListeners, listener);
  }

  onInvalidLine(listener: (error: string, line: string) => void): () => void {
    return subscribe(this.#invalidLineListeners, listener);
  }

  onExit(listener: (exit: ChildExit) => void): () => void {
    return subscribe(this.#exitListeners, listener);
  }

  /** Stops the child (stdin closed, SIGTERM, SIGKILL to its group); idempotent. */
  stop(graceMs: number): Promise<void> {
    clearTimeout(this.idleTimer);
    this.#stopping ??= this.ready.then(
      async (child) => {
        await child.close(graceMs);
      },
      () => undefined,
    );
    return this.#stopping;
  }

  /** SIGKILL to the whole process group, synchronously: the last resort when the owner exits. */
  killSync(): void {
    const pid = this.#child?.pid;
    if (pid === undefined || pid <= 0) return;
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // The group is already empty.
    }
  }
}

function subscribe<A extends unknown[]>(
  listeners: Set<(...args: A) => void>,
  listener: (...args: A) => void,
): () => void {
  // A fresh function per subscription, so subscribing the same listener twice needs two unsubscribes.
  const own = (...args: A): void => listener(...args);
  listeners.add(own);
  return () => {
    listeners.delete(own);
  };
}
