import { type ClientCapabilities, SUPPORTED_PROTOCOL_VERSIONS } from "@modelcontextprotocol/server";
import type { ListKind, ListPage } from "../list-pages.js";
import type { CallRelay } from "../upstream-caller.js";
import { MAX_PARAMS_DEPTH, nestsDeeperThan } from "./gateway-sdk-server.js";
import { isJsonObject } from "./json-object.js";
import { isPlainLegacyRequest } from "./plain-legacy-request.js";

type Json = Record<string, unknown>;
type RequestId = string | number;

/** A `tools/call` the gateway answers directly: see {@link DirectCalls}. */
export interface DirectToolCall {
  readonly jsonrpc: "2.0";
  readonly id: RequestId;
  readonly method: "tools/call";
  readonly params: {
    readonly name: string;
    readonly arguments?: Json;
    readonly _meta?: { readonly progressToken?: string | number };
  };
}

/** A list request the gateway answers directly: see {@link DirectCalls}. */
export interface DirectListRequest {
  readonly jsonrpc: "2.0";
  readonly id: RequestId;
  readonly method: ListMethod;
  readonly params?: { readonly cursor?: string };
}

/** The MCP list methods. */
export type ListMethod = "tools/list" | "resources/list" | "resources/templates/list" | "prompts/list";

/** The list methods, and the key of their result's items. */
const LIST_KINDS: Readonly<Record<ListMethod, ListKind>> = {
  "tools/list": "tools",
  "resources/list": "resources",
  "resources/templates/list": "resourceTemplates",
  "prompts/list": "prompts",
};

/** Items serialized once per cached list (a one-page list is the router's cached array itself). */
const serializedItems = new WeakMap<readonly Json[], string>();

function serialized(items: readonly Json[]): string {
  let json = serializedItems.get(items);
  if (json === undefined) {
    json = JSON.stringify(items);
    serializedItems.set(items, json);
  }
  return json;
}

/** Whether the SDK's 2025 codec would rewrite a tool of the list (an output schema not of type object). */
const needsLegacyWrap = (tools: readonly Json[]): boolean =>
  tools.some((tool) => isJsonObject(tool.outputSchema) && tool.outputSchema.type !== "object");

/** Options of {@link DirectCalls}. */
export interface DirectCallsOptions {
  /**
   * Runs a call as the session's SDK server runs it (the session's view and downstream session
   * key; the relay carries the call's signal and where its notifications go).
   */
  readonly callTool: (name: string, args: Json | undefined, relay: CallRelay) => Promise<Json>;
  /** Sends a notification the upstream related to a call to the session's standalone stream. */
  readonly notify: (notification: { method: string; params?: Json }) => void;
  /** Lists the session's view, as the SDK server's list handlers do. */
  readonly list: (kind: ListKind, cursor: string | undefined) => Promise<ListPage>;
}

/** Client capabilities that let a server send requests to the client in the middle of a call. */
const INPUT_CAPABILITIES = ["sampling", "elicitation", "roots"] as const;

/** The JSON-RPC error the SDK's `Protocol` answers a thrown `error` with. */
export function errorOf(error: unknown): Json {
  const { code, message, data } = isJsonObject(error) || error instanceof Error ? (error as Json) : {};
  const thrown = Number.isSafeInteger(code) ? (code as number) : -32603;
  return {
    // The 2025 wire has no "resource not found" code: the SDK's codec answers invalid params.
    code: thrown === -32002 ? -32602 : thrown,
    message: typeof message === "string" ? message : "Internal error",
    ...(data === undefined ? {} : { data }),
  };
}

/**
 * Whether the SDK transport would take a POST with these headers: a supported (or no)
 * `MCP-Protocol-Version`, and an `Accept` of both JSON and SSE. Anything else is left to it, for
 * its own error answer.
 */
function headersAllowed(request: Request): boolean {
  const version = request.headers.get("mcp-protocol-version");
  if (version !== null && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) return false;
  const accept = request.headers.get("accept");
  return accept?.includes("application/json") === true && accept.includes("text/event-stream");
}

/**
 * The `tools/call` requests of one 2025 session that the gateway answers itself, with one JSON
 * body, instead of through the SDK transport's per-request SSE stream and the SDK server (on the
 * legacy HTTP+SSE wire: written to the session's stream, progress included, without the SDK
 * server).
 *
 * The 2025 wire lets a server answer a POST with `application/json` whenever the client accepts
 * it, and the SDK stream is only needed for what may travel before the answer: progress (the
 * request names a progress token), and requests to the client (sampling, elicitation, roots: the
 * client declared them). A call that can have neither (nor any other `_meta`, nor a header the
 * SDK would refuse) takes this path; every other request takes the SDK's, unchanged. The handler
 * is the router's, as the SDK server's handler calls it; other notifications an upstream relates
 * to the call (logs) go to the session's standalone stream. A `notifications/cancelled` naming a
 * call in flight here aborts it ({@link cancel}), and closing the session aborts them all.
 */
export class DirectCalls {
  readonly #options: DirectCallsOptions;
  readonly #inFlight = new Map<RequestId, AbortController>();

  constructor(options: DirectCallsOptions) {
    this.#options = options;
  }

  /** Whether `message`, posted to streamable HTTP with `request`'s headers, may be answered as JSON. */
  accepts(
    request: Request,
    message: unknown,
    capabilities: ClientCapabilities | undefined,
  ): message is DirectToolCall {
    if (!headersAllowed(request)) return false;
    const version = request.headers.get("mcp-protocol-version");
    return isPlainLegacyRequest("POST", version, message) && this.#eligible(message, capabilities, false);
  }

  /**
   * Whether `message`, posted to a legacy SSE session, may be run here: its answer and progress
   * go to the session's stream, so a progress token is fine.
   */
  acceptsOnStream(message: unknown, capabilities: ClientCapabilities | undefined): message is DirectToolCall {
    return isPlainLegacyRequest("POST", null, message) && this.#eligible(message, capabilities, true);
  }

  /**
   * Whether `message` is a plain list request (no `_meta`; a string cursor or none), posted to
   * streamable HTTP with `request`'s headers (`request` undefined: to a legacy SSE session). Any
   * client may get its list directly: nothing can travel before a list's answer.
   */
  acceptsList(request: Request | undefined, message: unknown): message is DirectListRequest {
    if (request !== undefined && !headersAllowed(request)) return false;
    const version = request?.headers.get("mcp-protocol-version") ?? null;
    if (!isPlainLegacyRequest("POST", version, message)) return false;
    const { method, params } = message as Json;
    if (typeof method !== "string" || !Object.hasOwn(LIST_KINDS, method)) return false;
    if (params === undefined) return true;
    if (!isJsonObject(params)) return false;
    for (const key in params) if (key !== "cursor") return false;
    return params.cursor === undefined || typeof params.cursor === "string";
  }

  /**
   * The serialized JSON-RPC answer to a list request: the page, or the error the SDK server would
   * send. Undefined when the SDK's 2025 codec would rewrite the list (a tool whose output schema
   * is not an object): the caller then lets the SDK answer.
   */
  async listAnswer(request: DirectListRequest): Promise<string | undefined> {
    const kind = LIST_KINDS[request.method];
    const id = JSON.stringify(request.id);
    let page: ListPage;
    try {
      page = await this.#options.list(kind, request.params?.cursor);
    } catch (error) {
      return `{"jsonrpc":"2.0","id":${id},"error":${JSON.stringify(errorOf(error))}}`;
    }
    if (kind === "tools" && needsLegacyWrap(page.items)) return undefined;
    const cursor = page.nextCursor === undefined ? "" : `,"nextCursor":${JSON.stringify(page.nextCursor)}`;
    const meta = page.meta === undefined ? "" : `,"_meta":${JSON.stringify(page.meta)}`;
    return `{"jsonrpc":"2.0","id":${id},"result":{"${kind}":${serialized(page.items)}${cursor}${meta}}}`;
  }

  /** Runs the call and answers it as one JSON body (the answer {@link answer} gives). */
  async serve(call: DirectToolCall, sessionId: string): Promise<Response> {
    return new Response(JSON.stringify(await this.answer(call)), {
      status: 200,
      headers: { "content-type": "application/json", "mcp-session-id": sessionId },
    });
  }

  /**
   * Runs the call: its JSON-RPC answer, a result or the error the SDK server would have sent.
   * Progress the upstream reports goes to `onProgress` when the call named a progress token.
   */
  async answer(call: DirectToolCall, onProgress?: (notification: Json) => void): Promise<Json> {
    const controller = new AbortController();
    this.#inFlight.set(call.id, controller);
    const progressToken = call.params._meta?.progressToken;
    const relay: CallRelay = {
      signal: controller.signal,
      onNotification: this.#options.notify,
      ...(progressToken === undefined || onProgress === undefined
        ? {}
        : {
            onProgress: (progress) =>
              onProgress({
                jsonrpc: "2.0",
                method: "notifications/progress",
                params: { progressToken, ...progress },
              }),
          }),
    };
    let answer: Json;
    try {
      const result = await this.#options.callTool(call.params.name, call.params.arguments, relay);
      answer = controller.signal.aborted ? { error: cancelledError(controller.signal) } : { result };
    } catch (error) {
      answer = { error: controller.signal.aborted ? cancelledError(controller.signal) : errorOf(error) };
    } finally {
      this.#inFlight.delete(call.id);
    }
    return { jsonrpc: "2.0", id: call.id, ...answer };
  }

  #eligible(message: unknown, capabilities: ClientCapabilities | undefined, progress: boolean): boolean {
    if (capabilities === undefined || INPUT_CAPABILITIES.some((name) => capabilities[name] !== undefined))
      return false;
    const call = message as Json;
    if (call.method !== "tools/call" || this.#inFlight.has(call.id as RequestId)) return false;
    const { params } = call;
    if (!isJsonObject(params) || typeof params.name !== "string") return false;
    if (params._meta !== undefined && !(progress && isJsonObject(params._meta))) return false;
    if (params.arguments !== undefined && !isJsonObject(params.arguments)) return false;
    return !nestsDeeperThan(params, MAX_PARAMS_DEPTH);
  }

  /**
   * Aborts the calls in flight here that the `notifications/cancelled` among `messages` name;
   * returns the other messages (all of them when none was for a direct call).
   */
  cancel(messages: readonly unknown[]): readonly unknown[] {
    if (this.#inFlight.size === 0) return messages;
    return messages.filter((message) => {
      if (!isJsonObject(message) || message.method !== "notifications/cancelled" || "id" in message)
        return true;
      const requestId = isJsonObject(message.params) ? message.params.requestId : undefined;
      const controller = this.#inFlight.get(requestId as RequestId);
      if (controller === undefined) return true;
      controller.abort("cancelled");
      return false;
    });
  }

  /** Aborts every call in flight: the session ended. */
  close(): void {
    for (const controller of this.#inFlight.values()) controller.abort("closed");
  }
}

function cancelledError(signal: AbortSignal): Json {
  return signal.reason === "closed"
    ? { code: -32000, message: "The session ended before the call finished" }
    : { code: -32800, message: "Request cancelled by the client" };
}
