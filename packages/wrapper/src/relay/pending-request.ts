import { isStatelessRequest, type JsonRpcRequest } from "../json-rpc/json-rpc.js";
import type { RemoteConnection } from "../remote/remote-connection.js";

/** A client request the remote has not answered yet; it owns its timer and HTTP exchange. */
export class PendingRequest {
  readonly request: JsonRpcRequest;
  /** True for a 2026-07-28 request: cancelled by closing its stream, never re-sent after a restart. */
  readonly stateless: boolean;
  /** Aborts the request's HTTP exchange (and its place in the concurrency queue). */
  readonly abort: AbortController = new AbortController();
  /** Resolves once the request is settled (answered, failed, timed out or cancelled). */
  readonly done: Promise<void>;
  /** The connection the request was last sent on; `undefined` while queued or being re-sent. */
  connection: RemoteConnection | undefined;
  /** True once the request was re-sent after a lost session (it is re-sent at most once). */
  retried = false;
  #settled = false;
  #timer: NodeJS.Timeout | undefined;
  #release: (() => void) | undefined;
  readonly #resolve: () => void;

  constructor(request: JsonRpcRequest) {
    this.request = request;
    this.stateless = isStatelessRequest(request);
    let resolve!: () => void;
    this.done = new Promise((r) => {
      resolve = r;
    });
    this.#resolve = resolve;
  }

  get settled(): boolean {
    return this.#settled;
  }

  /** Arms the timeout; `onTimeout` runs once, unless the request settles first. */
  startTimer(timeoutMs: number, onTimeout: () => void): void {
    if (timeoutMs > 0) this.#timer = setTimeout(onTimeout, timeoutMs);
  }

  /** Keeps the concurrency slot to free when the request settles. */
  holdSlot(release: () => void): void {
    if (this.#settled) release();
    else this.#release = release;
  }

  /** Marks the request settled, freeing its timer and slot. False if it already was. */
  settle(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    clearTimeout(this.#timer);
    this.#release?.();
    this.#resolve();
    return true;
  }
}
