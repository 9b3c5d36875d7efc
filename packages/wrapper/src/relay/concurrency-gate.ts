interface Waiter {
  readonly grant: (release: () => void) => void;
  readonly signal: AbortSignal;
  readonly onAbort: () => void;
}

/**
 * Lets at most `limit` holders run at once; the rest wait in arrival order. A waiter whose
 * signal aborts leaves the queue without ever running.
 */
export class ConcurrencyGate {
  readonly #limit: number;
  readonly #waiters: Waiter[] = [];
  #active = 0;

  constructor(limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError("concurrency limit must be >= 1");
    this.#limit = limit;
  }

  /** Holders running now. */
  get active(): number {
    return this.#active;
  }

  /** Holders waiting for a slot. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /**
   * Resolves with a release function once a slot is free; rejects with the signal's reason if it
   * aborts first. Calling the release function more than once frees the slot once.
   */
  acquire(signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.#active < this.#limit) {
      this.#active += 1;
      return Promise.resolve(this.#releaser());
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        grant: (release) => {
          signal.removeEventListener("abort", waiter.onAbort);
          resolve(release);
        },
        signal,
        onAbort: () => {
          const index = this.#waiters.indexOf(waiter);
          if (index !== -1) this.#waiters.splice(index, 1);
          reject(signal.reason);
        },
      };
      signal.addEventListener("abort", waiter.onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiters.shift();
      if (next) next.grant(this.#releaser());
      else this.#active -= 1;
    };
  }
}
