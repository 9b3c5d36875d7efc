import type { Server } from "@modelcontextprotocol/server";
import { viaChainOf } from "../../federation/federation-marker.js";
import type { ListPage } from "../list-pages.js";
import type { McpRouter, McpView } from "../router.js";
import type { SessionSubscriptions } from "../subscription-hub.js";
import type { DownstreamSessionKey } from "../upstream/upstream-call-context.js";
import type { CallRelay } from "../upstream-caller.js";
import { GatewaySdkServer } from "./gateway-sdk-server.js";
import type { BridgeContext, BridgedMethod, InputBridge } from "./input-bridge.js";

/** The name the gateway gives itself to downstream clients (`serverInfo.name`). */
export const GATEWAY_SERVER_NAME = "contextforge-gateway";

/** The protocol era a server instance serves. */
export type ProtocolEra = "legacy" | "modern";

type Json = Record<string, unknown>;
type Handler = (request: { params?: Json }, ctx: RelayContext) => Promise<Json>;

/** The part of the SDK's handler context the relay uses. */
interface RelayContext {
  readonly mcpReq: {
    readonly signal: AbortSignal;
    readonly _meta?: { progressToken?: string | number } & Json;
    send(request: { method: string; params?: Json }): Promise<unknown>;
    notify(notification: { method: string; params?: Json }): Promise<void>;
  };
}

/**
 * How the answer to a downstream call travels back: progress, logs, and requests to the client;
 * and which downstream session made it (2025 sessions), for per-client upstream sessions.
 */
function relayFor(ctx: RelayContext, era: ProtocolEra, session: DownstreamSessionKey | undefined): CallRelay {
  const progressToken = ctx.mcpReq._meta?.progressToken;
  const notify = (notification: { method: string; params?: Json }): void => {
    ctx.mcpReq.notify(notification).catch(() => {
      // The downstream went away; the call itself is cancelled through the signal.
    });
  };
  return {
    signal: ctx.mcpReq.signal,
    ...(progressToken === undefined
      ? {}
      : { onProgress: (p) => notify({ method: "notifications/progress", params: { progressToken, ...p } }) }),
    // 2025 sessions carry server->client requests on the call's stream; for the 2026 wire the
    // InputBridge answers them with input_required (see `bridged` below).
    ...(era === "legacy"
      ? {
          // Only method and params: the downstream request gets an id of the downstream session.
          onServerRequest: async ({ method, params }) =>
            (await ctx.mcpReq.send(params === undefined ? { method } : { method, params })) as Json,
        }
      : {}),
    onNotification: notify,
    ...(session === undefined ? {} : { downstreamSession: session }),
  };
}

/** The requested page's cursor (the SDK has checked it is a string when present). */
const cursorOf = (request: { params?: Json }): string | undefined =>
  request.params?.cursor as string | undefined;

/** A list result: the page under `key`, `nextCursor` unless it is the last page, and its `_meta`. */
function listResult(key: string, page: ListPage): Json {
  return {
    [key]: page.items,
    ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
    ...(page.meta === undefined ? {} : { _meta: page.meta }),
  };
}

/** `view` for one request: with the gateways it passed when a peer gateway sent it (`_meta` via marker). */
function viewOfRequest(view: McpView, request: { params?: Json }): McpView {
  const via = viaChainOf(request.params?._meta);
  return via === undefined ? view : { ...view, via };
}

/** What one server instance adds to the router: see {@link createGatewayMcpServer}. */
export interface GatewayMcpServerOptions {
  /** A 2025 session's resource subscriptions (2026 clients subscribe on `subscriptions/listen`). */
  readonly subscriptions?: SessionSubscriptions;
  /** 2026 only: answers upstream sampling, elicitation and roots requests with `input_required`. */
  readonly inputBridge?: InputBridge;
  /** A 2025 session's identity, passed with each call (per-client upstream sessions). */
  readonly downstreamSession?: DownstreamSessionKey;
}

/**
 * A low-level SDK server for one downstream serving unit (a 2025 session or one 2026
 * request) whose every handler delegates to the router, scoped to `view`. A 2025 session passes
 * its `subscriptions` (2026 clients subscribe on `subscriptions/listen`, served by the SDK) and its
 * `downstreamSession`. A 2026 server given an `inputBridge` answers upstream sampling, elicitation
 * and roots requests with `input_required` and resumes the call on the client's retry; without one
 * they are refused.
 */
export function createGatewayMcpServer(
  router: McpRouter,
  view: McpView,
  era: ProtocolEra,
  version: string,
  options: GatewayMcpServerOptions = {},
): Server {
  const { subscriptions } = options;
  const bridge = era === "modern" ? options.inputBridge : undefined;
  const session = era === "legacy" ? options.downstreamSession : undefined;
  const server = new GatewaySdkServer(
    { name: GATEWAY_SERVER_NAME, version },
    {
      capabilities: {
        tools: { listChanged: true },
        resources: { listChanged: true, subscribe: true },
        prompts: { listChanged: true },
        completions: {},
        logging: {},
      },
      instructions:
        "ContextForge gateway: tools, resources and prompts of many MCP servers behind one endpoint.",
      ...(bridge ? { requestState: { verify: bridge.verify } } : {}),
    },
  );
  /** Runs a call that may need client input: through the bridge on the 2026 wire. */
  const bridged = (
    ctx: RelayContext,
    method: BridgedMethod,
    params: Json,
    run: (relay: CallRelay) => Promise<Json>,
  ): Promise<Json> =>
    bridge
      ? bridge.serve(ctx as unknown as BridgeContext, { method, params, run }, (c) =>
          relayFor(c as unknown as RelayContext, era, session),
        )
      : run(relayFor(ctx, era, session));
  const on = (method: string, handler: Handler): void => server.handle(method, handler);
  on("tools/list", async (request) =>
    listResult("tools", await router.listTools(viewOfRequest(view, request), cursorOf(request))),
  );
  on("tools/call", async (request, ctx) => {
    const params = request.params ?? {};
    const args = params.arguments as Json | undefined;
    const scoped = viewOfRequest(view, request);
    return bridged(ctx, "tools/call", { name: params.name, arguments: args }, (relay) =>
      router.callTool(scoped, String(params.name), args, relay),
    );
  });
  on("resources/list", async (request) =>
    listResult("resources", await router.listResources(viewOfRequest(view, request), cursorOf(request))),
  );
  on("resources/templates/list", async (request) =>
    listResult(
      "resourceTemplates",
      await router.listResourceTemplates(viewOfRequest(view, request), cursorOf(request)),
    ),
  );
  on("resources/read", async (request, ctx) => {
    const uri = String(request.params?.uri);
    const scoped = viewOfRequest(view, request);
    return bridged(ctx, "resources/read", { uri }, (relay) => router.readResource(scoped, uri, relay));
  });
  on("prompts/list", async (request) =>
    listResult("prompts", await router.listPrompts(viewOfRequest(view, request), cursorOf(request))),
  );
  on("prompts/get", async (request, ctx) => {
    const params = request.params ?? {};
    const args = params.arguments as Record<string, string> | undefined;
    const scoped = viewOfRequest(view, request);
    return bridged(ctx, "prompts/get", { name: params.name, arguments: args }, (relay) =>
      router.getPrompt(scoped, String(params.name), args, relay),
    );
  });
  on("completion/complete", async (request, ctx) =>
    router.complete(viewOfRequest(view, request), request.params ?? {}, relayFor(ctx, era, session)),
  );
  // Upstream log levels are per upstream session; the gateway relays what arrives.
  on("logging/setLevel", async () => ({}));
  if (subscriptions) {
    on("resources/subscribe", async (request) => {
      await subscriptions.subscribe(String(request.params?.uri));
      return {};
    });
    on("resources/unsubscribe", async (request) => {
      await subscriptions.unsubscribe(String(request.params?.uri));
      return {};
    });
  }
  return server;
}
