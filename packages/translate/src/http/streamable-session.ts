import type { ServerResponse } from "node:http";
import type { TranslateLogger } from "../logger.js";
import {
  errorResponse,
  idKey,
  isRequest,
  isResponse,
  type JsonRpcId,
  type JsonRpcMessage,
} from "../relay/json-rpc.js";
import type { RelaySession } from "../sessions/session-registry.js";
import type { PostAnswer } from "./post-answer.js";
import { SSE_HEADERS, SseWriter } from "./sse-writer.js";

const JSON_REFUSAL = "mcptranslate --jsonResponse: server-to-client requests cannot be delivered";

/**
 * The HTTP side of one streamable HTTP session: which POST answers each running request, and the
 * standalone GET stream. A child message goes on the stream of the request it belongs to; when it
 * belongs to none (or that stream is gone and it is not a response) on the GET stream; a response
 * whose POST is gone is dropped (2025 has no resumption without an event store).
 */
export class StreamableSession {
  readonly #answers = new Map<string, PostAnswer>();
  readonly #log: TranslateLogger;
  #standalone: SseWriter | undefined;
  #relay: RelaySession | undefined;

  constructor(log: TranslateLogger) {
    this.#log = log;
  }

  /** The relay session, once opened. */
  get relay(): RelaySession | undefined {
    return this.#relay;
  }

  set relay(session: RelaySession) {
    this.#relay = session;
  }

  /** Routes the answers to `answer`'s requests to it until it is done. */
  track(answer: PostAnswer): void {
    for (const id of answer.requestIds) this.#answers.set(idKey(id), answer);
  }

  /** Forgets a finished answer (only the ids it still owns). */
  untrack(answer: PostAnswer): void {
    for (const id of answer.requestIds) {
      const key = idKey(id);
      if (this.#answers.get(key) === answer) this.#answers.delete(key);
    }
  }

  /** True while a GET stream is open. */
  get hasStandaloneStream(): boolean {
    return this.#standalone?.writable === true;
  }

  /** Opens the GET stream on `res`. */
  openStandaloneStream(
    res: ServerResponse,
    headers: Readonly<Record<string, string>>,
    keepAliveMs: number,
  ): void {
    const writer = new SseWriter(res, { ...SSE_HEADERS, ...headers }, keepAliveMs);
    this.#standalone = writer;
    res.once("close", () => {
      if (this.#standalone === writer) this.#standalone = undefined;
    });
    writer.open();
  }

  /** Delivers a child message, see the class comment. */
  deliver(message: JsonRpcMessage, related: JsonRpcId | undefined): void {
    const response = isResponse(message);
    const owner = response ? message.id : related;
    if (owner !== undefined) {
      const answer = this.#answers.get(idKey(owner));
      if (answer?.deliver(message) === true) return;
      if (answer?.open === true && !answer.streams) {
        // A JSON body carries the response only (`--jsonResponse`): a related notification is
        // dropped, and a server-to-client request is refused at once so the child does not wait.
        if (isRequest(message)) {
          this.#relay?.send(errorResponse(message.id, -32603, JSON_REFUSAL));
        }
        return;
      }
      if (response) {
        this.#log("debug", `dropped the response to ${String(owner)}: its stream is gone`);
        return;
      }
    }
    if (this.#standalone?.writable === true) this.#standalone.send(message);
    else this.#log("debug", "dropped a server message: no stream to carry it");
  }

  /** Ends every stream: open requests get a JSON-RPC error naming `reason`. */
  close(reason: string): void {
    for (const answer of new Set(this.#answers.values())) answer.fail(-32603, `session ended: ${reason}`);
    this.#answers.clear();
    this.#standalone?.end();
    this.#standalone = undefined;
  }
}
