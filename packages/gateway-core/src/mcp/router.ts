import { ProtocolError, ResourceNotFoundError } from "@modelcontextprotocol/server";
import { may, type Ownership } from "../auth/access.js";
import type { FederationPolicy } from "../federation/federation-policy.js";
import { renderTemplate } from "../registry/prompts/prompt-template.js";
import type {
  RegistrySnapshot,
  RegistrySnapshotSource,
  SnapshotPrompt,
  SnapshotResource,
  SnapshotServer,
  SnapshotTool,
  SnapshotUpstream,
} from "../registry/registry-snapshot.js";
import type { ListKind, ListPage, ListPager } from "./list-pages.js";
import { UpstreamError } from "./upstream/upstream-error.js";
import { UpstreamRpcError } from "./upstream/upstream-rpc-error.js";
import { addressOf, type CallRelay, type UpstreamAddress, type UpstreamCaller } from "./upstream-caller.js";
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

/** What the router does with the items of an upstream health checks marked unreachable. */
export interface McpRouterOptions {
  /** `hide` (default): left out of lists; `show`: listed with `_meta["io.contextforge/reachable"]: false`. */
  readonly unreachableItems?: "hide" | "show";
  /**
   * Federation rules (loops, hop limit, no re-export to the peer an item came from) applied to
   * requests by their `via` chain; without it requests are served whatever they passed.
   */
  readonly federation?: FederationPolicy;
}

/** The `_meta` key flagging a listed item whose upstream is unreachable (`UNREACHABLE_ITEMS=show`). */
export const REACHABLE_META_KEY = "io.contextforge/reachable";

/**
 * The pool's address of an item's upstream; an upstream marked unreachable fails fast (-32603,
 * `data.upstream: "unreachable"`) rather than after a connect timeout.
 */
function addressFor(upstream: SnapshotUpstream): UpstreamAddress {
  if (!upstream.reachable) {
    throw new ProtocolError(
      -32603,
      `Upstream gateway ${upstream.slug} is unreachable (failed health checks); try again once it answers`,
      { upstream: "unreachable", gateway: upstream.slug },
    );
  }
  return addressOf(upstream);
}

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

/**
 * The client-facing items of each list of a snapshot view, built once per (immutable) snapshot.
 * Items of an unreachable upstream are left out (`hide`) or flagged in `_meta` (`show`).
 */
function listItems(server: SnapshotServer, unreachable: "hide" | "show"): Record<ListKind, Json[]> {
  const listed = (item: { upstream: SnapshotUpstream | undefined }): boolean =>
    unreachable === "show" || item.upstream?.reachable !== false;
  const flag = (item: { upstream: SnapshotUpstream | undefined }): Json | undefined =>
    item.upstream?.reachable === false ? { [REACHABLE_META_KEY]: false } : undefined;
  return {
    tools: server.tools
      .filter((tool) => invocable(tool) && listed(tool))
      .map((tool) =>
        defined({
          name: tool.name,
          title: tool.title,
          description: tool.description,
          inputSchema: tool.inputSchema,
          outputSchema: tool.outputSchema,
          annotations: Object.keys(tool.annotations).length > 0 ? tool.annotations : undefined,
          _meta: flag(tool),
        }),
      ),
    resources: server.resources
      .filter((r) => r.uriTemplate === undefined && listed(r))
      .map((r) =>
        defined({
          uri: r.uri,
          name: r.name,
          description: r.description,
          mimeType: r.mimeType,
          size: r.size,
          _meta: flag(r),
        }),
      ),
    resourceTemplates: server.resources
      .filter((r) => r.uriTemplate !== undefined && listed(r))
      .map((r) =>
        defined({
          uriTemplate: r.uriTemplate,
          name: r.name,
          description: r.description,
          mimeType: r.mimeType,
          _meta: flag(r),
        }),
      ),
    prompts: server.prompts.filter(listed).map((p) =>
      defined({
        name: p.name,
        title: p.title,
        description: p.description,
        arguments: p.arguments.length > 0 ? p.arguments : undefined,
        _meta: flag(p),
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
  options: McpRouterOptions = {},
): McpRouter {
  const unreachableItems = options.unreachableItems ?? "hide";
  const { federation } = options;
  const upstreams: UpstreamCaller = {
    callTool: (...args) => relayed(upstream.callTool(...args)),
    readResource: (...args) => relayed(upstream.readResource(...args)),
    getPrompt: (...args) => relayed(upstream.getPrompt(...args)),
    complete: (...args) => relayed(upstream.complete(...args)),
  };
  /** The caller's view; for a list (`listing`), without what came from gateways the request passed. */
  const viewOf = async (view: McpView, listing = false): Promise<SnapshotServer> => {
    const snapshot: RegistrySnapshot = await snapshots.current();
    const server = visibleServer(snapshot, view);
    if (!federation) return server;
    federation.admit(view.via);
    return listing ? federation.withoutPeers(server, view.via) : server;
  };
  /** The relay of a request forwarded to `target`: refused when that loops, else carrying the via marker. */
  const forwarded = (view: McpView, target: SnapshotUpstream, relay: CallRelay): CallRelay => {
    if (!federation) return relay;
    federation.checkForward(view.via, target.federationId);
    return { ...relay, meta: federation.forwardMeta(view.via) };
  };
  /** The caller sees the item (it is in its view); it must also hold the permission to use it. */
  const checkUse = (view: McpView, permission: string, item: Ownership, name: string): void => {
    if (view.principal && !may(view.principal, permission, item)) {
      throw new ProtocolError(FORBIDDEN, `Forbidden: you may not use ${name} (${permission})`, {
        permission,
      });
    }
  };

  // The client-facing lists of each view, built on its first list request. A view is an immutable
  // part of one registry snapshot, filtered for one visibility (visible-view.ts) and peer set
  // (federation): a registry change brings a new snapshot and new views, so nothing is ever stale,
  // and principals that see different items never share a view. A steady-state list request
  // does no filtering, copying or database query; a one-page list is served as it is cached.
  const lists = new WeakMap<SnapshotServer, Record<ListKind, Json[]>>();
  const listPage = async (kind: ListKind, view: McpView, cursor: string | undefined): Promise<ListPage> => {
    const server = await viewOf(view, true);
    let items = lists.get(server);
    if (!items) {
      items = listItems(server, unreachableItems);
      lists.set(server, items);
    }
    const page = pager.page(kind, view.serverId ?? "", items[kind], LIST_KEYS[kind], cursor);
    return federation ? { ...page, meta: federation.listMeta() } : page;
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
      return upstreams.callTool(
        addressFor(tool.upstream),
        tool.originalName,
        args,
        forwarded(view, tool.upstream, relay),
      );
    },

    listResources: (view, cursor) => listPage("resources", view, cursor),

    listResourceTemplates: (view, cursor) => listPage("resourceTemplates", view, cursor),

    async readResource(view, uri, relay) {
      const resource = resourceFor(await viewOf(view), uri);
      if (!resource) throw new ResourceNotFoundError(uri);
      checkUse(view, "resources.read", resource.ownership, uri);
      if (resource.upstream)
        return upstreams.readResource(
          addressFor(resource.upstream),
          uri,
          forwarded(view, resource.upstream, relay),
        );
      return { contents: [defined({ uri, mimeType: resource.mimeType, text: resource.text ?? "" })] };
    },

    listPrompts: (view, cursor) => listPage("prompts", view, cursor),

    async getPrompt(view, name, args, relay) {
      const prompt = await findPrompt(view, name);
      checkUse(view, "prompts.read", prompt.ownership, name);
      if (prompt.upstream)
        return upstreams.getPrompt(
          addressFor(prompt.upstream),
          prompt.originalName,
          args,
          forwarded(view, prompt.upstream, relay),
        );
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
          addressFor(prompt.upstream),
          { ...params, ref: { ...ref, name: prompt.originalName } },
          forwarded(view, prompt.upstream, relay),
        );
      }
      if (ref?.type === "ref/resource" && typeof ref.uri === "string") {
        const resource = (await viewOf(view)).resources.find(
          (r) => r.uriTemplate === ref.uri || r.uri === ref.uri,
        );
        if (!resource) throw new ResourceNotFoundError(ref.uri);
        if (!resource.upstream) return none;
        return upstreams.complete(
          addressFor(resource.upstream),
          params,
          forwarded(view, resource.upstream, relay),
        );
      }
      throw invalidParams("completion/complete needs a ref/prompt or ref/resource reference");
    },
  };
}
