import {
  idKey,
  isNotification,
  isRequest,
  isResponse,
  type JsonRpcId,
  type JsonRpcMessage,
  paramId,
  progressTokenOf,
} from "./json-rpc.js";

/**
 * Follows one session's requests to a dedicated child, so each child message can name the request
 * it belongs to: a response its own id, a progress notification the request that carried its
 * token, anything else the request most recently sent and still running (stdio carries no such
 * link, and a server sends log messages and server-to-client requests while it handles a call).
 */
export class RequestTracker {
  /** Insertion-ordered: the last entry is the latest request still running. */
  readonly #pending = new Map<string, JsonRpcId>();
  readonly #progress = new Map<string, JsonRpcId>();

  get size(): number {
    return this.#pending.size;
  }

  /** Records a message going to the child. */
  fromClient(message: JsonRpcMessage): void {
    if (!isRequest(message)) return;
    this.#pending.set(idKey(message.id), message.id);
    const token = progressTokenOf(message);
    if (token !== undefined) this.#progress.set(idKey(token), message.id);
  }

  /** The client request a child message belongs to, if any; forgets answered requests. */
  fromChild(message: JsonRpcMessage): JsonRpcId | undefined {
    if (isResponse(message)) {
      this.#pending.delete(idKey(message.id));
      for (const [token, id] of this.#progress) if (id === message.id) this.#progress.delete(token);
      return message.id;
    }
    if (isNotification(message) && message.method === "notifications/progress") {
      const token = paramId(message, "progressToken");
      const related = token === undefined ? undefined : this.#progress.get(idKey(token));
      if (related !== undefined) return related;
    }
    let latest: JsonRpcId | undefined;
    for (const id of this.#pending.values()) latest = id;
    return latest;
  }
}
