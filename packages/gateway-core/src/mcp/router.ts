import { ProtocolError, ResourceNotFoundError } from "@modelcontextprotocol/server";
import { may, type Ownership } from "../auth/access.js";
import { renderTemplate } from "../registry/prompts/prompt-template.js";
import type {
  RegistrySnapshot,
  RegistrySnapshotSource,
  SnapshotPrompt,
  SnapshotResource,
  SnapshotServer,
  SnapshotTool,
} from "../registry/registry-snapshot.js";
import type { ListKind, ListPage, ListPager } from "./list-pages.js";
import { UpstreamError } from "./upstream/upstream-error.js";
import { UpstreamRpcError } from "./upstream/upstream-rpc-error.js";
import { addressOf, type CallRelay, type UpstreamCaller } from "./upstream-caller.js";
import { matchesUriTemplate } from "./uri-template-match.js";
import { type McpView, visibleServer } from "./visible-view.js";

export type { McpView } from "./visible-view.js";

type Json = Record<string, unknown>;

/** MCP method logic over the registry snapshot and the upstream pool, independent of transports. */
export interface McpRouter {
  /** Throws a 404 GatewayError when the virtual server does not exist or is disabled. */
  checkView(view: McpView): Promise<void>;
  /** One page of a list (`cursor` from the previous page's `nextCursor`); bad cursors: -32602. */
  listTools(view: McpView, cursor?: string): Promise<ListPage>;
  callTool(view: McpView, name: string, args: Json | undefined, relay: CallRelay): Promise<Json>;
  listResources(view: McpView, cursor?: string): Promise<ListPage>;
  listResourceTemplates(view: McpView, cursor?: string): Promise<ListPage>;
  readResource(view: McpView, uri: string, relay: CallRelay): Promise<Json>;
  listPrompts(view: McpView, cursor?: string): Promise<ListPage>;
  getPrompt(
    view: McpView,
    name: string,
    args: Record<string, string> | undefined,
    relay: CallRelay,
  ): Promise<Json>;
  complete(view: McpView, params: Json, relay: CallRelay): Promise<Json>;
}

/** JSON-RPC code (implementation-defined server error range) for a permission the caller lacks. */
const FORBIDDEN = -32003;

/** A JSON-RPC -32602 answer (the spec's code for unknown tools and prompts, bad arguments). */
function invalidParams(message: string): ProtocolError {
  return new ProtocolError(-32602, message);
}

function defined(entries: Record<string, unknown>): Json {
  return Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined));
}

// Tools the gateway can invoke today: those of registered MCP servers. REST and A2A tools join
// the MCP view with their adapters.
const invocable = (tool: SnapshotTool): boolean => tool.upstream !== undefined;

/**
 * Relays an upstream's JSON-RPC error verbatim (code, message, data); a failed exchange becomes
 * -32603 with the pool's message, which names the upstream but never its credentials.
 */
async function relayed<T>(call: Promise<T>): Promise<T> {
  try {
    return withoutHopMeta(await call);
  } catch (error) {
    if (error instanceof UpstreamRpcError) throw new ProtocolError(error.code, error.message, error.data);
    if (error instanceof UpstreamError)
      throw new ProtocolError(-32603, error.message, { upstream: error.code });
    throw error;
  }
}

/**
 * `io.modelcontextprotocol/*` members of a result's `_meta` describe one hop (the upstream's
 * serverInfo, its protocol version): they are not passed on; the gateway's SDK server adds its own.
 */
function withoutHopMeta<T>(result: T): T {
  const meta = (result as { _meta?: Record<string, unknown> } | null)?._meta;
  if (!meta || typeof meta !== "object") return result;
  const kept = Object.fromEntries(
    Object.entries(meta).filter(([key]) => !key.startsWith("io.modelcontextprotocol/")),
  );
  const { _meta: _dropped, ...rest } = result as Record<string, unknown>;
  return (Object.keys(kept).length > 0 ? { ...rest, _meta: kept } : rest) as T;
}

/** The client-facing items of each list of a snapshot view, built once per (immutable) snapshot. */
function listItems(server: SnapshotServer): Record<ListKind, Json[]> {
  return {
    tools: server.tools.filter(invocable).map((tool) =>
      defined({
        name: tool.name,
        title: tool.title,
        description: tool.description,
        inputSchema: tool.inputSchema,
        outputSchema: tool.outputSchema,
        annotations: Object.keys(tool.annotations).length > 0 ? tool.annotations : undefined,
      }),
    ),
    resources: server.resources
      .filter((r) => r.uriTemplate === undefined)
      .map((r) =>
        defined({ uri: r.uri, name: r.name, description: r.description, mimeType: r.mimeType, size: r.size }),
      ),
    resourceTemplates: server.resources
      .filter((r) => r.uriTemplate !== undefined)
      .map((r) =>
        defined({
          uriTemplate: r.uriTemplate,
          name: r.name,
          description: r.description,
          mimeType: r.mimeType,
        }),
      ),
    prompts: server.prompts.map((p) =>
      defined({
        name: p.name,
        title: p.title,
        description: p.description,
        arguments: p.arguments.length > 0 ? p.arguments : undefined,
      }),
    ),
  };
}

// What identifies an item within its list (what a page position is anchored to).
const LIST_KEYS: Record<ListKind, (item: Json) => string> = {
  tools: (item) => String(item.name),
  resources: (item) => String(item.uri),
  resourceTemplates: (item) => String(item.uriTemplate),
  prompts: (item) => String(item.name),
};

/** Creates the router; `pager` cuts every list into pages of one size, with signed cursors. */
export function createMcpRouter(
  snapshots: RegistrySnapshotSource,
  upstream: UpstreamCaller,
  pager: ListPager,
): McpRouter {
  const upstreams: UpstreamCaller = {
    callTool: (...args) => relayed(upstream.callTool(...args)),
    readResource: (...args) => relayed(upstream.readResource(...args)),
    getPrompt: (...args) => relayed(upstream.getPrompt(...args)),
    complete: (...args) => relayed(upstream.complete(...args)),
  };
  const viewOf = async (view: McpView): Promise<SnapshotServer> => {
    const snapshot: RegistrySnapshot = await snapshots.current();
    return visibleServer(snapshot, view);
  };
  /** The caller sees the item (it is in its view); it must also hold the permission to use it. */
  const checkUse = (view: McpView, permission: string, item: Ownership, name: string): void => {
    if (view.principal && !may(view.principal, permission, item)) {
      throw new ProtocolError(FORBIDDEN, `Forbidden: you may not use ${name} (${permission})`, {
        permission,
      });
    }
  };

  const lists = new WeakMap<SnapshotServer, Record<ListKind, Json[]>>();
  const listPage = async (kind: ListKind, view: McpView, cursor: string | undefined): Promise<ListPage> => {
    const server = await viewOf(view);
    let items = lists.get(server);
    if (!items) {
      items = listItems(server);
      lists.set(server, items);
    }
    return pager.page(kind, view.serverId ?? "", items[kind], LIST_KEYS[kind], cursor);
  };

  const findTool = async (view: McpView, name: string): Promise<SnapshotTool> => {
    const tool = (await viewOf(view)).tools.find((t) => t.name === name && invocable(t));
    if (!tool) throw invalidParams(`Unknown tool: ${name}`);
    return tool;
  };

  const findPrompt = async (view: McpView, name: string): Promise<SnapshotPrompt> => {
    const prompt = (await viewOf(view)).prompts.find((p) => p.name === name);
    if (!prompt) throw invalidParams(`Unknown prompt: ${name}`);
    return prompt;
  };

  const resourceFor = (server: SnapshotServer, uri: string): SnapshotResource | undefined =>
    server.resources.find((r) => r.uriTemplate === undefined && r.uri === uri) ??
    server.resources.find(
      (r) => r.uriTemplate !== undefined && r.upstream && matchesUriTemplate(r.uriTemplate, uri),
    );

  return {
    async checkView(view) {
      await viewOf(view);
    },

    listTools: (view, cursor) => listPage("tools", view, cursor),

    async callTool(view, name, args, relay) {
      const tool = await findTool(view, name);
      if (!tool.upstream) throw invalidParams(`Unknown tool: ${name}`);
      checkUse(view, "tools.execute", tool.ownership, name);
      return upstreams.callTool(addressOf(tool.upstream), tool.originalName, args, relay);
    },

    listResources: (view, cursor) => listPage("resources", view, cursor),

    listResourceTemplates: (view, cursor) => listPage("resourceTemplates", view, cursor),

    async readResource(view, uri, relay) {
      const resource = resourceFor(await viewOf(view), uri);
      if (!resource) throw new ResourceNotFoundError(uri);
      checkUse(view, "resources.read", resource.ownership, uri);
      if (resource.upstream) return upstreams.readResource(addressOf(resource.upstream), uri, relay);
      return { contents: [defined({ uri, mimeType: resource.mimeType, text: resource.text ?? "" })] };
    },

    listPrompts: (view, cursor) => listPage("prompts", view, cursor),

    async getPrompt(view, name, args, relay) {
      const prompt = await findPrompt(view, name);
      checkUse(view, "prompts.read", prompt.ownership, name);
      if (prompt.upstream)
        return upstreams.getPrompt(addressOf(prompt.upstream), prompt.originalName, args, relay);
      const missing = prompt.arguments
        .filter((a) => a.required && !(args && a.name in args))
        .map((a) => a.name);
      if (missing.length > 0) throw invalidParams(`Missing required arguments: ${missing.join(", ")}`);
      let text: string;
      try {
        text = renderTemplate(prompt.template, args ?? {});
      } catch (error) {
        throw invalidParams((error as Error).message);
      }
      return defined({
        description: prompt.description,
        messages: [{ role: "user", content: { type: "text", text } }],
      });
    },

    async complete(view, params, relay) {
      const ref = params.ref as { type?: string; name?: string; uri?: string } | undefined;
      const none = { completion: { values: [], hasMore: false } };
      if (ref?.type === "ref/prompt" && typeof ref.name === "string") {
        const prompt = await findPrompt(view, ref.name);
        if (!prompt.upstream) return none;
        return upstreams.complete(
          addressOf(prompt.upstream),
          { ...params, ref: { ...ref, name: prompt.originalName } },
          relay,
        );
      }
      if (ref?.type === "ref/resource" && typeof ref.uri === "string") {
        const resource = (await viewOf(view)).resources.find(
          (r) => r.uriTemplate === ref.uri || r.uri === ref.uri,
        );
        if (!resource) throw new ResourceNotFoundError(ref.uri);
        if (!resource.upstream) return none;
        return upstreams.complete(addressOf(resource.upstream), params, relay);
      }
      throw invalidParams("completion/complete needs a ref/prompt or ref/resource reference");
    },
  };
}
