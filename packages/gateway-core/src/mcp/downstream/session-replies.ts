import { randomBytes } from "node:crypto";
import type { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/server";
import { isJsonObject } from "./json-object.js";

type Json = Record<string, unknown>;
type RequestId = string | number;

const isReply = (message: Json): boolean =>
  !("method" in message) && "id" in message && ("result" in message || "error" in message);

const isCancel = (message: Json): boolean =>
  message.method === "notifications/cancelled" && !("id" in message);

const requestIdOf = (value: unknown): RequestId | undefined =>
  typeof value === "string" || typeof value === "number" ? value : undefined;

/**
 * Whether `message` only concerns something already under way on one copy of a session: a reply
 * to a server-to-client request (sampling, elicitation, roots) or a `notifications/cancelled`
 * for a call. Such a message may arrive at another replica than the one that awaits it.
 */
export function isRoutable(message: unknown): message is Json {
  return isJsonObject(message) && (isReply(message) || isCancel(message));
}

/**
 * What one copy of a 2025 session (on one replica) awaits from its client, so that a reply or a
 * cancellation that reached another replica can be sent to the copy it belongs to.
 *
 * The server's own request ids restart at 0 in every copy, so two replicas would ask the same
 * client with the same id. They are namespaced on the way out (`<copy tag>.<id>`, a string id
 * the client echoes back) and restored on the way in: a reply names the copy that awaits it.
 * A cancellation names the client's request, so the copy tracks which of them it is serving.
 */
export class SessionReplies {
  readonly #prefix = `${randomBytes(6).toString("base64url")}.`;
  /** Ids of the client's requests this copy is serving (until their response goes out). */
  readonly #serving = new Set<RequestId>();

  /** Wraps `transport.send` (before the server sends anything) to tag outgoing request ids. */
  constructor(transport: WebStandardStreamableHTTPServerTransport) {
    const send = transport.send.bind(transport);
    transport.send = (message, options) => send(this.#outgoing(message as unknown as Json) as never, options);
  }

  /** Whether this copy awaits `message` (see {@link isRoutable}). */
  owns(message: Json): boolean {
    if (isCancel(message)) {
      const id = requestIdOf(isJsonObject(message.params) ? message.params.requestId : undefined);
      return id !== undefined && this.#serving.has(id);
    }
    return isReply(message) && typeof message.id === "string" && message.id.startsWith(this.#prefix);
  }

  /** Notes the client's requests in a body this copy is about to serve. */
  serving(messages: readonly unknown[]): void {
    for (const message of messages) {
      if (!isJsonObject(message) || typeof message.method !== "string") continue;
      const id = requestIdOf(message.id);
      if (id !== undefined) this.#serving.add(id);
    }
  }

  /** Forgets a request of the client this copy answered outside its transport. */
  served(id: RequestId): void {
    this.#serving.delete(id);
  }

  /**
   * `message` as this copy's server knows it: a reply to one of its requests gets its own id
   * back; a cancelled request is no longer tracked (a cancelled call sends no response).
   */
  accept(message: unknown): unknown {
    if (!isJsonObject(message) || !this.owns(message)) return message;
    if (isCancel(message)) {
      this.#serving.delete(requestIdOf((message.params as Json).requestId) as RequestId);
      return message;
    }
    if (!isReply(message)) return message;
    return { ...message, id: Number((message.id as string).slice(this.#prefix.length)) };
  }

  #outgoing(message: Json): Json {
    const id = requestIdOf(message.id);
    if (typeof message.method !== "string") {
      if (id !== undefined) this.#serving.delete(id);
      return message;
    }
    if (id !== undefined) return { ...message, id: `${this.#prefix}${id}` };
    // The server giving up on one of its own requests names it by the id the client saw.
    if (isCancel(message) && isJsonObject(message.params)) {
      const requestId = requestIdOf(message.params.requestId);
      if (requestId !== undefined)
        return { ...message, params: { ...message.params, requestId: `${this.#prefix}${requestId}` } };
    }
    return message;
  }
}
