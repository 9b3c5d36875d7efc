import { ProtocolError, ProtocolErrorCode } from "@modelcontextprotocol/server";
import type { CallRelay } from "../upstream-caller.js";
import {
  answersRequest,
  type InputRequestMessage,
  missingCapability,
  toInputRequest,
} from "./input-capabilities.js";

type Json = Record<string, unknown>;

/** What the downstream request currently waiting on a parked call gets next. */
export type ParkedCallEvent =
  | { readonly kind: "complete"; readonly result: Json }
  | { readonly kind: "failed"; readonly error: unknown }
  | { readonly kind: "input"; readonly inputRequests: Record<string, { method: string; params: Json }> };

/** A request of the upstream waiting for the downstream's answer. */
interface PendingInput {
  readonly request: InputRequestMessage;
  readonly resolve: (result: Json) => void;
  readonly reject: (error: Error) => void;
  /** Sent to the downstream and not answered yet (false: to be sent in the next round). */
  asked: boolean;
}

interface Waiter {
  readonly relay: CallRelay;
  readonly deliver: (event: ParkedCallEvent) => void;
}

/**
 * One upstream call `u` of a 2026-07-28 client, kept open across the client's retries while the
 * upstream waits for sampling, elicitation or roots answers. At most one downstream request waits
 * on it at a time; between rounds it is parked, and a timer ends it when no retry comes.
 */
export class ParkedCall {
  readonly id: string;
  /** Rounds of `input_required` answered so far; a retry must name the latest. */
  #round = 0;
  readonly #declared: Json;
  readonly #onEnd: () => void;
  readonly #controller = new AbortController();
  readonly #pending = new Map<string, PendingInput>();
  #nextKey = 0;
  #outcome: ParkedCallEvent | undefined;
  #waiter: Waiter | undefined;
  #timer: NodeJS.Timeout | undefined;
  #flushQueued = false;
  #ended = false;

  /** `declared`: the client capabilities of the request that started the call. */
  constructor(id: string, declared: Json, onEnd: () => void) {
    this.id = id;
    this.#declared = declared;
    this.#onEnd = onEnd;
  }

  get round(): number {
    return this.#round;
  }

  /** Starts `u` with a relay whose server->client requests come back here. */
  start(run: (relay: CallRelay) => Promise<Json>): void {
    const relay: CallRelay = {
      signal: this.#controller.signal,
      clientCapabilities: this.#declared,
      onProgress: (progress) => this.#waiter?.relay.onProgress?.(progress),
      onNotification: (notification) => this.#waiter?.relay.onNotification?.(notification),
      onServerRequest: (request) => this.#ask(request),
    };
    run(relay).then(
      (result) => this.#settle({ kind: "complete", result }),
      (error: unknown) => this.#settle({ kind: "failed", error }),
    );
  }

  /** Whether a retry naming `round` may resume the call now. */
  claimable(round: number): boolean {
    return !this.#ended && this.#waiter === undefined && round === this.#round;
  }

  /** Feeds a retry's answers to the waiting upstream requests; unanswered ones are asked again. */
  answer(keys: readonly string[], responses: Record<string, unknown> | undefined): void {
    this.#disarm();
    for (const key of keys) {
      const pending = this.#pending.get(key);
      if (!pending) continue;
      const response = responses?.[key];
      if (answersRequest(pending.request.method, response)) {
        this.#pending.delete(key);
        pending.resolve(response as Json);
      } else {
        pending.asked = false;
      }
    }
  }

  /**
   * Waits for what the client gets next: `u`'s outcome, or the upstream's next input requests.
   * The downstream request's progress and log notifications go to `relay` meanwhile; its `signal`
   * aborting cancels the call.
   */
  wait(relay: CallRelay, signal: AbortSignal): Promise<ParkedCallEvent> {
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.#waiter = undefined;
        this.cancel(signal.reason);
        reject(signal.reason);
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
      this.#waiter = {
        relay,
        deliver: (event) => {
          signal.removeEventListener("abort", onAbort);
          this.#waiter = undefined;
          resolve(event);
        },
      };
      if (this.#outcome) this.#waiter.deliver(this.#outcome);
      else this.#queueFlush();
    });
  }

  /** Parks the call after an `input_required` answer; it is cancelled when no retry comes in time. */
  park(timeoutMs: number): void {
    this.#round++;
    this.#disarm();
    this.#timer = setTimeout(() => {
      this.cancel(
        new ProtocolError(
          ProtocolErrorCode.InternalError,
          `The client did not answer within ${timeoutMs} ms`,
        ),
      );
    }, timeoutMs);
    this.#timer.unref?.();
  }

  /** Ends the call: waiting upstream requests get `reason` as their error, and `u` is cancelled. */
  cancel(reason: unknown): void {
    if (this.#ended) return;
    const error = reason instanceof Error ? reason : new Error(String(reason));
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
    this.#controller.abort(error);
    this.#end();
  }

  /** Releases the call after its outcome was delivered. */
  finish(): void {
    this.#end();
  }

  #ask(request: InputRequestMessage): Promise<Json> {
    const missing = missingCapability(request, this.#declared);
    if (missing !== undefined) {
      return Promise.reject(
        new ProtocolError(
          ProtocolErrorCode.MethodNotFound,
          `${request.method} needs the client capability ${missing}, which the caller did not declare`,
        ),
      );
    }
    if (this.#ended) return Promise.reject(new Error("the call has ended"));
    return new Promise((resolve, reject) => {
      const key = this.#keyFor(request);
      this.#pending.set(key, { request, resolve, reject, asked: false });
      this.#queueFlush();
    });
  }

  /**
   * The key of a request in `inputRequests`: a 2026 upstream's own key when it is free (clients
   * and tests may rely on it), else a new one.
   */
  #keyFor(request: InputRequestMessage): string {
    const own = request.id;
    if (typeof own === "string" && /^[\w.-]{1,64}$/.test(own) && !this.#pending.has(own)) return own;
    let key: string;
    do key = `${request.method.replace(/\W+/g, "_")}_${++this.#nextKey}`;
    while (this.#pending.has(key));
    return key;
  }

  /**
   * Sends the pending requests to the waiting client on the next turn of the event loop, so that
   * requests an upstream makes together (a 2026 upstream's round of several) go out as one round.
   */
  #queueFlush(): void {
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    setImmediate(() => {
      this.#flushQueued = false;
      const waiter = this.#waiter;
      if (!waiter || this.#outcome) return;
      if (![...this.#pending.values()].some((pending) => !pending.asked)) return;
      const inputRequests: Record<string, { method: string; params: Json }> = {};
      for (const [key, pending] of this.#pending) {
        pending.asked = true;
        inputRequests[key] = toInputRequest(pending.request);
      }
      waiter.deliver({ kind: "input", inputRequests });
    });
  }

  #settle(outcome: ParkedCallEvent): void {
    if (this.#outcome) return;
    this.#outcome = outcome;
    for (const pending of this.#pending.values()) pending.reject(new Error("the call has ended"));
    this.#pending.clear();
    this.#waiter?.deliver(outcome);
  }

  #disarm(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#disarm();
    this.#onEnd();
  }
}
