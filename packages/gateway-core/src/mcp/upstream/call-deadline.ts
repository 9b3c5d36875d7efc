import { SdkError, SdkErrorCode } from "@modelcontextprotocol/client";
import type { UpstreamCallContext } from "./upstream-call-context.js";

/**
 * The longest delay a Node timer accepts (about 24.8 days). Given to the SDK as the request
 * timeout, it leaves the deadline to {@link CallDeadline}, which the SDK's timer cannot match: that
 * one keeps running while the client is answering.
 */
export const NO_SDK_TIMEOUT_MS = 2_147_483_647;

/**
 * The deadline of one upstream request. It counts the time spent waiting for the upstream only:
 * it starts over on each progress notification ({@link reset}), and stops while the gateway waits
 * for the downstream client to answer a request the upstream sent back (sampling, elicitation,
 * roots; see {@link pausedWhileClientAnswers}), resuming with the time that was left. How long the
 * client may take is the downstream's limit (`MCP_INPUT_REQUIRED_TIMEOUT` for 2026-07-28 clients).
 *
 * On expiry `signal` aborts with the SDK's own timeout error, so the request fails exactly as an
 * SDK timeout would: `notifications/cancelled` goes upstream and the caller gets
 * `UpstreamError("timeout")`.
 */
export class CallDeadline {
  readonly #controller = new AbortController();
  readonly #timeoutMs: number;
  #remainingMs: number;
  #armedAt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #pauses = 0;
  #done = false;

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
    this.#remainingMs = timeoutMs;
    this.#arm();
  }

  /** Aborts when the deadline passes. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The upstream reported progress: the whole timeout applies again. */
  reset(): void {
    if (this.#done) return;
    this.#remainingMs = this.#timeoutMs;
    if (this.#pauses === 0) this.#arm();
  }

  /** Runs `wait` (the client answering the upstream) with the deadline stopped. */
  async paused<T>(wait: () => Promise<T>): Promise<T> {
    if (this.#pauses++ === 0 && !this.#done) {
      clearTimeout(this.#timer);
      this.#remainingMs = Math.max(0, this.#remainingMs - (performance.now() - this.#armedAt));
    }
    try {
      return await wait();
    } finally {
      if (--this.#pauses === 0 && !this.#done) this.#arm();
    }
  }

  /** Stops the timer (the request settled). */
  dispose(): void {
    this.#done = true;
    clearTimeout(this.#timer);
  }

  #arm(): void {
    clearTimeout(this.#timer);
    this.#armedAt = performance.now();
    this.#timer = setTimeout(() => {
      this.#done = true;
      this.#controller.abort(
        new SdkError(SdkErrorCode.RequestTimeout, "Request timed out", { timeout: this.#timeoutMs }),
      );
    }, this.#remainingMs);
  }
}

/**
 * `ctx` with its server->client request handler wrapped so that `deadline` stops while the
 * downstream answers. The call router and the request both get this context.
 */
export function pausedWhileClientAnswers(
  ctx: UpstreamCallContext,
  deadline: CallDeadline,
): UpstreamCallContext {
  const answer = ctx.onServerRequest;
  if (answer === undefined) return ctx;
  return { ...ctx, onServerRequest: (request) => deadline.paused(() => answer(request)) };
}
