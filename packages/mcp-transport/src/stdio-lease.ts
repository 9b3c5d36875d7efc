import type { ChildExit } from "./stdio-child.js";
import type { SupervisedProcess } from "./supervised-process.js";

/**
 * The leased view of a supervised stdio server. Subscriptions made through it end with the lease,
 * and `send` stops working once the lease is released.
 */
export interface LeasedChild {
  /** The pid of the process (and of its process group). */
  readonly pid: number;
  /** True while the process runs, is not being stopped, and the lease is held. */
  readonly running: boolean;
  /** Writes one JSON-RPC message as a line on the process's stdin; false when that is not possible. */
  send(message: unknown): boolean;
  /** Every JSON value the process writes as a line on stdout. Returns the unsubscribe function. */
  onMessage(listener: (message: unknown) => void): () => void;
  /** Lines on stdout that are not JSON (or too long); they are skipped. */
  onInvalidLine(listener: (error: string, line: string) => void): () => void;
  /** The process has exited (called at once when it already had). */
  onExit(listener: (exit: ChildExit) => void): () => void;
}

/** A claim on a running stdio server, from {@link StdioSupervisor.acquire}. */
export interface StdioLease {
  readonly serverId: string;
  /** The sharing key: leases with the same key share one process. */
  readonly key: string;
  readonly child: LeasedChild;
  /** True once {@link release} was called. */
  readonly released: boolean;
  /**
   * Gives the process back; idempotent. A process nobody holds is stopped after the idle
   * timeout. Subscriptions made through {@link child} end here.
   */
  release(): void;
}

/** The supervisor's lease: a view on one {@link SupervisedProcess}. */
export class SupervisedLease implements StdioLease {
  readonly serverId: string;
  readonly key: string;
  readonly child: LeasedChild;
  readonly #onRelease: () => void;
  readonly #unsubscribes = new Set<() => void>();
  #released = false;

  constructor(process: SupervisedProcess, pid: number, onRelease: () => void) {
    this.serverId = process.serverId;
    this.key = process.key;
    this.#onRelease = onRelease;
    const lease = this;
    this.child = {
      pid,
      get running(): boolean {
        return !lease.#released && process.running;
      },
      send: (message) => !this.#released && process.send(message),
      onMessage: (listener) => this.#track(process.onMessage(listener)),
      onInvalidLine: (listener) => this.#track(process.onInvalidLine(listener)),
      onExit: (listener) => {
        const exit = process.exit;
        if (exit === undefined) return this.#track(process.onExit(listener));
        queueMicrotask(() => listener(exit));
        return () => {};
      },
    };
  }

  get released(): boolean {
    return this.#released;
  }

  release(): void {
    if (this.#released) return;
    this.#released = true;
    for (const unsubscribe of this.#unsubscribes) unsubscribe();
    this.#unsubscribes.clear();
    this.#onRelease();
  }

  #track(unsubscribe: () => void): () => void {
    if (this.#released) {
      unsubscribe();
      return () => {};
    }
    this.#unsubscribes.add(unsubscribe);
    return () => {
      unsubscribe();
      this.#unsubscribes.delete(unsubscribe);
    };
  }
}
