import { Server } from "@modelcontextprotocol/server";
import type { McpRouter, McpView } from "../router.js";
import type { CallRelay } from "../upstream-caller.js";

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

/** How the answer to a downstream call travels back: progress, logs, and requests to the client. */
function relayFor(ctx: RelayContext, era: ProtocolEra): CallRelay {
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
    // 2025 sessions can carry server->client requests on the call's stream; the 2026 wire
    // answers them with input_required instead (bridged in a later release).
    ...(era === "legacy"
      ? { onServerRequest: async (request) => (await ctx.mcpReq.send(request)) as Json }
      : {}),
    onNotification: notify,
  };
}

/**
 * A low-level SDK server for one downstream serving unit (a 2025 session or one 2026
 * request) whose every handler delegates to the router, scoped to `view`.
 */
export function createGatewayMcpServer(
  router: McpRouter,
  view: McpView,
  era: ProtocolEra,
  version: string,
): Server {
  const server = new Server(
    { name: "contextforge-gateway", version },
    {
      capabilities: {
        tools: { listChanged: true },
        resources: { listChanged: true },
        prompts: { listChanged: true },
        completions: {},
        logging: {},
      },
      instructions:
        "ContextForge gateway: tools, resources and prompts of many MCP servers behind one endpoint.",
    },
  );
  const on = (method: string, handler: Handler): void => {
    (server.setRequestHandler as unknown as (method: string, handler: Handler) => void)(method, handler);
  };
  on("tools/list", async () => ({ tools: await router.listTools(view) }));
  on("tools/call", async (request, ctx) => {
    const params = request.params ?? {};
    return router.callTool(
      view,
      String(params.name),
      params.arguments as Json | undefined,
      relayFor(ctx, era),
    );
  });
  on("resources/list", async () => ({ resources: await router.listResources(view) }));
  on("resources/templates/list", async () => ({
    resourceTemplates: await router.listResourceTemplates(view),
  }));
  on("resources/read", async (request, ctx) =>
    router.readResource(view, String(request.params?.uri), relayFor(ctx, era)),
  );
  on("prompts/list", async () => ({ prompts: await router.listPrompts(view) }));
  on("prompts/get", async (request, ctx) => {
    const params = request.params ?? {};
    return router.getPrompt(
      view,
      String(params.name),
      params.arguments as Record<string, string> | undefined,
      relayFor(ctx, era),
    );
  });
  on("completion/complete", async (request, ctx) =>
    router.complete(view, request.params ?? {}, relayFor(ctx, era)),
  );
  // Upstream log levels are per upstream session; the gateway relays what arrives.
  on("logging/setLevel", async () => ({}));
  return server;
}
