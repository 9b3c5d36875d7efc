/**
 * One deadline for a whole multi-request exchange, merged with the caller's abort signal. Its
 * `signal` aborts when either fires; {@link DiscoveryDeadline.race} settles a promise that the SDK
 * might leave pending forever (the legacy SSE transport's `start()` ignores request timeouts).
 * The owner calls {@link DiscoveryDeadline.dispose} to clear the timer.
 */
export class DiscoveryDeadline {
  readonly timeoutMs: number;
  readonly #controller = new AbortController();
  readonly #endsAt: number;
  readonly #timer: ReturnType<typeof setTimeout>;
  readonly #callerSignal: AbortSignal | undefined;
  readonly #onCallerAbort = (): void => this.#controller.abort(this.#callerSignal?.reason);
  #passed = false;

  constructor(timeoutMs: number, callerSignal?: AbortSignal) {
    this.timeoutMs = timeoutMs;
    this.#endsAt = Date.now() + timeoutMs;
    this.#callerSignal = callerSignal;
    this.#timer = setTimeout(() => {
      this.#passed = true;
      this.#controller.abort(new DOMException(`deadline of ${timeoutMs} ms passed`, "TimeoutError"));
    }, timeoutMs);
    if (callerSignal?.aborted) this.#onCallerAbort();
    else callerSignal?.addEventListener("abort", this.#onCallerAbort, { once: true });
  }

  /** Aborts when the deadline passes or the caller aborts. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** True once the deadline itself (not the caller) has fired. */
  get passed(): boolean {
    return this.#passed;
  }

  /** True when the caller's signal ended the exchange before the deadline. */
  get abortedByCaller(): boolean {
    return !this.#passed && this.#controller.signal.aborted;
  }

  /** Milliseconds left, at least 1 (a zero SDK timeout would mean "default"). */
  remainingMs(): number {
    return Math.max(1, this.#endsAt - Date.now());
  }

  /** Settles like `promise`, or rejects with the abort reason as soon as {@link signal} aborts. */
  race<T>(promise: Promise<T>): Promise<T> {
    const signal = this.#controller.signal;
    if (signal.aborted) return Promise.reject(signal.reason);
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
    });
    return Promise.race([promise, aborted]).finally(() => {
      if (onAbort) signal.removeEventListener("abort", onAbort);
    });
  }

  /** Clears the timer and detaches from the caller's signal. */
  dispose(): void {
    clearTimeout(this.#timer);
    this.#callerSignal?.removeEventListener("abort", this.#onCallerAbort);
  }
}
