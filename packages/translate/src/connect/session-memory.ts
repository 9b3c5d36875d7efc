import { isNotification, isRequest, type JsonRpcMessage } from "../relay/json-rpc.js";

/**
 * What the local client set up on the remote session, so a new session (after the remote lost the
 * old one) can be set up the same way: the `initialize` request once answered, whether
 * `notifications/initialized` went out, the last `logging/setLevel` and the resources subscribed
 * to. The client never learns that its session was replaced.
 */
export class SessionMemory {
  #initialize: JsonRpcMessage | undefined;
  #protocolVersion: string | undefined;
  #initialized: JsonRpcMessage | undefined;
  #logLevel: JsonRpcMessage | undefined;
  readonly #subscriptions = new Map<string, JsonRpcMessage>();

  /** The version the remote chose in the client's InitializeResult, once answered. */
  get protocolVersion(): string | undefined {
    return this.#protocolVersion;
  }

  /** Whether there is a session to replay: the client's `initialize` was answered. */
  get initialized(): boolean {
    return this.#initialize !== undefined;
  }

  /** Records a client notification that reached the remote. */
  delivered(message: JsonRpcMessage): void {
    if (isNotification(message) && message.method === "notifications/initialized") {
      this.#initialized = message;
    }
  }

  /** Records the remote's successful answer to a client request. */
  answered(request: JsonRpcMessage, response: JsonRpcMessage): void {
    if (!isRequest(request) || response.error !== undefined) return;
    const params = (request.params ?? {}) as { uri?: unknown };
    switch (request.method) {
      case "initialize": {
        const version = (response.result as { protocolVersion?: unknown } | undefined)?.protocolVersion;
        this.#initialize = request;
        this.#protocolVersion = typeof version === "string" ? version : undefined;
        this.#logLevel = undefined;
        this.#subscriptions.clear();
        return;
      }
      case "logging/setLevel":
        this.#logLevel = request;
        return;
      case "resources/subscribe":
        if (typeof params.uri === "string") this.#subscriptions.set(params.uri, request);
        return;
      case "resources/unsubscribe":
        if (typeof params.uri === "string") this.#subscriptions.delete(params.uri);
        return;
    }
  }

  /** The client's `initialize` request, to open a new session with. */
  initializeRequest(): JsonRpcMessage | undefined {
    return this.#initialize;
  }

  /** What to send after the new session's InitializeResult: the notification, then requests. */
  setUp(): { notification: JsonRpcMessage | undefined; requests: JsonRpcMessage[] } {
    const requests = [...(this.#logLevel ? [this.#logLevel] : []), ...this.#subscriptions.values()];
    return { notification: this.#initialized, requests };
  }
}
