import { type JsonRpcMessage, type JsonRpcRequest, objectAt } from "../json-rpc/json-rpc.js";

/** A request the wrapper sends again on a new remote session to restore what the client set up. */
export interface ReplayedRequest {
  readonly method: string;
  readonly params: unknown;
}

/**
 * What the stdio client set up on its remote session, kept to open an equivalent one after the
 * remote forgot it: the client's own `initialize` params, whether it sent
 * `notifications/initialized`, its last `logging/setLevel` and its live `resources/subscribe`s.
 */
export class ClientSession {
  /** The client's `initialize` params, sent again as they are. */
  readonly initializeParams: unknown;
  /** True once the client sent `notifications/initialized`. */
  initializedSent = false;
  /** The version the remote chose; `undefined` until `initialize` is answered. */
  protocolVersion: string | undefined;
  #logLevel: unknown;
  readonly #subscriptions = new Map<string, unknown>();

  constructor(initializeParams: unknown) {
    this.initializeParams = initializeParams;
  }

  /** True once the remote answered the client's `initialize`: there is a session to restore. */
  get established(): boolean {
    return this.protocolVersion !== undefined;
  }

  /** Notes a request the remote answered successfully, if it set up session state. */
  recordSuccess(request: JsonRpcRequest, answer: JsonRpcMessage): void {
    if (answer.result === undefined) return;
    const uri = objectAt(request, "params")?.uri;
    if (request.method === "logging/setLevel") this.#logLevel = request.params;
    else if (request.method === "resources/subscribe" && typeof uri === "string")
      this.#subscriptions.set(uri, request.params);
    else if (request.method === "resources/unsubscribe" && typeof uri === "string")
      this.#subscriptions.delete(uri);
  }

  /** The requests that restore the recorded state on a new session, in a sensible order. */
  replay(): ReplayedRequest[] {
    const requests: ReplayedRequest[] = [];
    if (this.#logLevel !== undefined) requests.push({ method: "logging/setLevel", params: this.#logLevel });
    for (const params of this.#subscriptions.values())
      requests.push({ method: "resources/subscribe", params });
    return requests;
  }
}
