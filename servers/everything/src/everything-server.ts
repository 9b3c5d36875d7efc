import { McpServer, type RegisteredPrompt, type RegisteredTool } from "@modelcontextprotocol/server";
import { EverythingState, type StateChange } from "./everything-state.js";
import { DEFAULT_PAGE_SIZE, installPagination } from "./pagination.js";
import { registerExtraPrompt, registerTestPrompts } from "./prompts/test-prompts.js";
import type { Era, RegistrationContext } from "./registration-context.js";
import { registerTestResources } from "./resources/test-resources.js";
import { registerClientRequestTools } from "./tools/client-request-tools.js";
import { registerContentTools, registerSchemaTools } from "./tools/content-tools.js";
import { registerDiagnosticTools } from "./tools/diagnostic-tools.js";
import { registerExtraTool, registerGatewayTools } from "./tools/gateway-tools.js";
import { registerInputRequiredTools } from "./tools/input-required-tools.js";
import { registerNotifyingTools } from "./tools/notifying-tools.js";

/** The name this server reports in `serverInfo`. */
export const SERVER_NAME = "mcp-sample-everything";

/** Options for {@link createEverythingServer}. */
export interface EverythingServerOptions {
  /** The protocol era the instance serves; some tools exist on one era only. Default `legacy`. */
  readonly era?: Era;
  /** Shared mutable state; pass the same object to every instance of one process. */
  readonly state?: EverythingState;
  /** Items per `tools/list`, `resources/list`, `resources/templates/list` and `prompts/list` page. */
  readonly pageSize?: number;
  /** The version reported in `serverInfo`. */
  readonly version?: string;
  /**
   * Whether the instance lives for a whole session (stdio, 2025 sessionful HTTP) and should
   * therefore announce shared-state changes itself. Per-request instances leave this off: their
   * changes reach clients through the HTTP handler's `subscriptions/listen` streams. Default `true`.
   */
  readonly live?: boolean;
  /** Receives diagnostic lines. Default: discard. */
  readonly log?: (line: string) => void;
}

/**
 * Builds one MCP server instance with the whole sample surface: the gateway tools (`echo`,
 * `slow`, `toggle_extra_tool`, ...), every `test_*` tool, resource and prompt the official
 * conformance suite calls, completion, logging and paginated lists.
 */
export function createEverythingServer(options: EverythingServerOptions = {}): McpServer {
  return buildEverythingServer(options).server;
}

/**
 * {@link createEverythingServer}, also returning the function that brings the extra tool and
 * prompt in line with the shared state: a reusable per-request instance (not `live`) calls it
 * each time it is taken from its pool.
 */
export function buildEverythingServer(options: EverythingServerOptions = {}): {
  server: McpServer;
  syncExtras: () => void;
} {
  const ctx: RegistrationContext = {
    era: options.era ?? "legacy",
    state: options.state ?? new EverythingState(),
    log: options.log ?? (() => {}),
  };
  const server = new McpServer(
    { name: SERVER_NAME, version: options.version ?? "0.0.0" },
    {
      capabilities: { logging: {} },
      instructions: "A sample server exposing every MCP feature a gateway must relay.",
      requestState: { verify: (state, context) => ctx.state.requestState.verify(state, context) },
    },
  );
  // Before any registration: the list handlers are installed by the first register call.
  installPagination(server, options.pageSize ?? DEFAULT_PAGE_SIZE);
  server.server.registerCapabilities({
    tools: { listChanged: true },
    prompts: { listChanged: true },
    resources: { listChanged: true, subscribe: true },
  });

  registerSchemaTools(server);
  registerGatewayTools(server, ctx);
  registerContentTools(server);
  registerNotifyingTools(server, ctx);
  if (ctx.era === "legacy") registerClientRequestTools(server);
  if (ctx.era === "modern") {
    registerInputRequiredTools(server, ctx);
    registerDiagnosticTools(server, ctx);
  }
  const notifyResourceUpdated = registerTestResources(server, ctx);
  registerTestPrompts(server, ctx);

  // The extras follow the shared state: present at construction when on, and on a live
  // instance added or removed as it changes (which sends the list_changed notifications).
  let extraTool: RegisteredTool | undefined;
  let extraPrompt: RegisteredPrompt | undefined;
  const syncExtras = (): void => {
    if (ctx.state.extraToolEnabled && extraTool === undefined) extraTool = registerExtraTool(server);
    if (!ctx.state.extraToolEnabled && extraTool !== undefined) {
      extraTool.remove();
      extraTool = undefined;
    }
    if (ctx.state.extraPromptEnabled && extraPrompt === undefined) extraPrompt = registerExtraPrompt(server);
    if (!ctx.state.extraPromptEnabled && extraPrompt !== undefined) {
      extraPrompt.remove();
      extraPrompt = undefined;
    }
  };
  syncExtras();

  if (options.live ?? true) {
    const stop = ctx.state.onChange((change: StateChange) => {
      if (change.kind === "resource") notifyResourceUpdated(change.uri);
      else syncExtras();
    });
    const previousOnClose = server.server.onclose;
    server.server.onclose = () => {
      stop();
      previousOnClose?.();
    };
  }
  return { server, syncExtras };
}
