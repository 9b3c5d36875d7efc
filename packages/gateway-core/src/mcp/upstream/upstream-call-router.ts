import { AsyncLocalStorage } from "node:async_hooks";
import {
  type Client,
  type CreateMessageResult,
  type ElicitResult,
  type ListRootsResult,
  ProtocolError,
  ProtocolErrorCode,
} from "@modelcontextprotocol/client";
import type { UpstreamCallContext, UpstreamServerRequest } from "./upstream-call-context.js";

/** One downstream call in flight on an upstream session. */
interface InFlightCall {
  readonly ctx: UpstreamCallContext;
}

/** Server->client requests the gateway answers on behalf of the downstream that made the call. */
const SERVER_REQUEST_METHODS = ["sampling/createMessage", "elicitation/create", "roots/list"] as const;

/**
 * Routes what an upstream sends back during a call (server->client requests, log notifications)
 * to the downstream call that caused it, over one shared upstream session.
 *
 * Each upstream request runs inside `als.run(call, ...)`. The SDK's streamable HTTP transport
 * reads the response stream of a POST inside the async context of that POST, and its handlers run
 * in the context of the stream that delivered the message; so a sampling request that arrives on a
 * call's own stream (2025 sessions) finds that call with `als.getStore()`, and so do the
 * `input_required` rounds of a 2026 call, which the SDK client fulfils through the same handlers
 * before retrying. Verified with real servers in `test/upstream/upstream-pool-server-requests.test.ts`. The
 * session is connected outside any call's context, so its GET stream (2025 messages unrelated to
 * any request) carries no call and such requests are refused.
 *
 * The legacy HTTP+SSE transport delivers everything on the one GET stream opened at connect, a
 * WebSocket on its one socket and a stdio child on its stdout: no call context exists there. For them (`soleCallFallback`) a
 * message goes to the only call in flight, and is refused when there are several, since guessing
 * could hand one user's prompt to another.
 */
export class UpstreamCallRouter {
  readonly #als = new AsyncLocalStorage<InFlightCall>();
  readonly #inFlight = new Set<InFlightCall>();
  readonly #soleCallFallback: boolean;

  constructor(options: { readonly soleCallFallback: boolean }) {
    this.#soleCallFallback = options.soleCallFallback;
  }

  /** Calls in flight. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Runs one upstream request as `ctx`'s call: what the upstream sends back for it reaches `ctx`. */
  async run<T>(ctx: UpstreamCallContext, request: () => Promise<T>): Promise<T> {
    const call: InFlightCall = { ctx };
    this.#inFlight.add(call);
    try {
      return await this.#als.run(call, request);
    } finally {
      this.#inFlight.delete(call);
    }
  }

  /** Registers the server->client request and logging handlers on a client not yet connected. */
  install(client: Client): void {
    const route = (
      request: { method: string; params?: unknown },
      ctx: { mcpReq: { id: string | number } },
    ): Promise<Record<string, unknown>> => this.#answer(request, ctx.mcpReq.id);
    client.setRequestHandler(
      SERVER_REQUEST_METHODS[0],
      (r, c) => route(r, c) as Promise<CreateMessageResult>,
    );
    client.setRequestHandler(SERVER_REQUEST_METHODS[1], (r, c) => route(r, c) as Promise<ElicitResult>);
    client.setRequestHandler(SERVER_REQUEST_METHODS[2], (r, c) => route(r, c) as Promise<ListRootsResult>);
    client.setNotificationHandler("notifications/message", (notification) => {
      const deliver = this.#owner()?.ctx.onNotification;
      try {
        deliver?.(toMessage(notification));
      } catch {
        // A failing listener must not break the upstream session.
      }
    });
  }

  /** The call a message arriving now belongs to, if it can be known. */
  #owner(): InFlightCall | undefined {
    const call = this.#als.getStore();
    if (call !== undefined) return this.#inFlight.has(call) ? call : undefined;
    if (!this.#soleCallFallback || this.#inFlight.size !== 1) return undefined;
    return this.#inFlight.values().next().value;
  }

  async #answer(
    request: { method: string; params?: unknown },
    id: string | number,
  ): Promise<Record<string, unknown>> {
    const call = this.#owner();
    const handler = call?.ctx.onServerRequest;
    if (handler === undefined) {
      throw new ProtocolError(
        ProtocolErrorCode.MethodNotFound,
        call === undefined
          ? `${request.method} is not related to a call in flight; the gateway cannot answer it`
          : `${request.method} is not supported by the client of this call`,
      );
    }
    return handler({ ...toMessage(request), id });
  }
}

function toMessage(message: { method: string; params?: unknown }): UpstreamServerRequest {
  const { params } = message;
  return params !== null && typeof params === "object"
    ? { method: message.method, params: params as Record<string, unknown> }
    : { method: message.method };
}
