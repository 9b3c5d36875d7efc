import type { ServerResponse } from "node:http";
import {
  errorResponse,
  idKey,
  isRequest,
  isResponse,
  type JsonRpcId,
  type JsonRpcMessage,
} from "../relay/json-rpc.js";
import { SSE_HEADERS, SseWriter } from "./sse-writer.js";

/** Options of {@link PostAnswer}. */
export interface PostAnswerOptions {
  /** One JSON body (`--jsonResponse`) instead of an SSE stream. */
  readonly json: boolean;
  readonly keepAliveMs: number;
  /** Headers added to the answer (`mcp-session-id`). */
  readonly headers: Readonly<Record<string, string>>;
  /** Called once when the answer is complete or the client went away. */
  readonly onDone: () => void;
}

/**
 * The answer to one POST carrying requests: an SSE stream that carries the messages related to
 * those requests and ends after the last response, or (`json`) one JSON body with the responses
 * in request order (a single object for a single request).
 */
export class PostAnswer {
  readonly #res: ServerResponse;
  readonly #options: PostAnswerOptions;
  /** The POST's request ids not answered yet, in request order. */
  readonly #unanswered = new Map<string, JsonRpcId>();
  readonly #requestIds: JsonRpcId[] = [];
  readonly #responses: JsonRpcMessage[] | undefined;
  readonly #sse: SseWriter | undefined;
  readonly #batch: boolean;
  #done = false;

  constructor(
    res: ServerResponse,
    messages: readonly JsonRpcMessage[],
    batch: boolean,
    options: PostAnswerOptions,
  ) {
    this.#res = res;
    this.#options = options;
    this.#batch = batch;
    for (const message of messages) {
      if (!isRequest(message)) continue;
      this.#unanswered.set(idKey(message.id), message.id);
      this.#requestIds.push(message.id);
    }
    if (options.json) this.#responses = [];
    else this.#sse = new SseWriter(res, { ...SSE_HEADERS, ...options.headers }, options.keepAliveMs);
    // A 2025 disconnect is not a cancel: the requests go on, their answers are dropped.
    res.once("close", () => this.#finish());
  }

  /** The ids of the requests this POST carried, answered or not. */
  get requestIds(): readonly JsonRpcId[] {
    return this.#requestIds;
  }

  /** True until the last response went out or the client went away. */
  get open(): boolean {
    return !this.#done;
  }

  /** True when this answer can carry messages other than responses (an SSE stream). */
  get streams(): boolean {
    return this.#sse !== undefined;
  }

  /** Sends a message on this answer; false when it cannot be carried (closed, or JSON). */
  deliver(message: JsonRpcMessage): boolean {
    if (this.#done) return false;
    if (!isResponse(message)) {
      if (this.#sse === undefined || !this.#sse.writable) return false;
      this.#sse.send(message);
      return true;
    }
    const key = idKey(message.id);
    if (!this.#unanswered.has(key)) return false;
    this.#unanswered.delete(key);
    const last = this.#unanswered.size === 0;
    if (this.#sse !== undefined) {
      this.#sse.send(message, last);
    } else {
      this.#responses?.push(message);
      if (last) this.#writeJson();
    }
    if (last) this.#finish();
    return true;
  }

  /** Answers every request still open with a JSON-RPC error, then ends. */
  fail(code: number, reason: string): void {
    for (const id of [...this.#unanswered.values()]) this.deliver(errorResponse(id, code, reason));
    this.#finish();
    this.#sse?.end();
  }

  #writeJson(): void {
    if (this.#res.destroyed) return;
    const responses = this.#responses ?? [];
    const body = JSON.stringify(this.#batch || responses.length !== 1 ? responses : responses[0]);
    this.#res.writeHead(200, { "Content-Type": "application/json", ...this.#options.headers });
    this.#res.end(body);
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#options.onDone();
  }
}
