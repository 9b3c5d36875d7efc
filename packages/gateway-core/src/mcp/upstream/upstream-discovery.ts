import { randomUUID } from "node:crypto";
import { StdioSupervisor } from "@contextforge/mcp-transport";
import { type Client, ProtocolError, ProtocolErrorCode } from "@modelcontextprotocol/client";
import { checkUpstreamTarget } from "./check-upstream-target.js";
import { DiscoveryDeadline } from "./discovery-deadline.js";
import { type ListPage, listAllPages } from "./list-all-pages.js";
import {
  toUpstreamPrompt,
  toUpstreamResource,
  toUpstreamResourceTemplate,
  toUpstreamServerInfo,
  toUpstreamTool,
} from "./normalize-upstream-items.js";
import { type ReverseTunnelConnector, unreachableConnection } from "./reverse-tunnel-connector.js";
import { toUpstreamError } from "./to-upstream-error.js";
import type { DiscoveredUpstream } from "./upstream-catalog.js";
import {
  openUpstreamConnection,
  type UpstreamClientInfo,
  type UpstreamConnection,
  type UpstreamNetworkTransport,
} from "./upstream-connection.js";
import { UpstreamError } from "./upstream-error.js";
import {
  openStdioUpstreamConnection,
  type UpstreamStdioCommand,
  type UpstreamStdioOptions,
} from "./upstream-stdio-connection.js";

export type {
  DiscoveredUpstream,
  JsonObject,
  UpstreamIcon,
  UpstreamPrompt,
  UpstreamPromptArgument,
  UpstreamResource,
  UpstreamResourceTemplate,
  UpstreamServerInfo,
  UpstreamTool,
  UpstreamToolAnnotations,
} from "./upstream-catalog.js";
export type { UpstreamClientInfo, UpstreamNetworkTransport } from "./upstream-connection.js";
export { UpstreamError, type UpstreamErrorCode } from "./upstream-error.js";
export type { UpstreamStdioCommand, UpstreamStdioOptions } from "./upstream-stdio-connection.js";

/** The whole-discovery deadline used when the target sets none. */
export const DEFAULT_DISCOVERY_TIMEOUT_MS = 15_000;
/** Pages of one list fetched at most before discovery fails with a `protocol` error. */
export const DEFAULT_MAX_PAGES_PER_LIST = 1_000;
const DEFAULT_CLIENT_INFO: UpstreamClientInfo = { name: "contextforge-gateway", version: "0.0.0" };

/** An upstream MCP server as registered by a user: over HTTP or WebSocket, or a stdio command. */
export type UpstreamTarget = UpstreamHttpTarget | UpstreamStdioTarget | UpstreamReverseTarget;

/** A server published through a reverse proxy's tunnel (`reverse://<slug>`). */
export interface UpstreamReverseTarget extends UpstreamDiscoveryOptions {
  readonly transport: "REVERSE";
  readonly url: string;
}

/** An upstream MCP server reachable over the network (streamable HTTP, SSE or WebSocket). */
export interface UpstreamHttpTarget extends UpstreamDiscoveryOptions {
  readonly url: string;
  readonly transport: UpstreamNetworkTransport;
  /**
   * Sent on every request (WebSocket: on the opening handshake), e.g. `Authorization` (already
   * decrypted). Never logged or echoed.
   */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A stdio MCP server: discovery runs it in a process of its own, stopped right after. */
export interface UpstreamStdioTarget extends UpstreamDiscoveryOptions, UpstreamStdioCommand {
  readonly transport: "STDIO";
  /** Names the server in messages, e.g. `stdio://<slug>`. Default `stdio://<command>`. */
  readonly url?: string;
  /** The supervisor's server id (backoff, per-server cap): the gateway id. Default: the url. */
  readonly serverId?: string;
}

/** What every discovery accepts. */
export interface UpstreamDiscoveryOptions {
  /** Deadline for the whole discovery (connect, every page of every list). Default 15000. */
  readonly timeoutMs?: number;
  /** Aborting it ends discovery; the promise then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Pages per list before giving up on a server that never stops paginating. Default 1000. */
  readonly maxPagesPerList?: number;
  /** How the gateway introduces itself. Default `contextforge-gateway`. */
  readonly clientInfo?: UpstreamClientInfo;
  /** Extra `_meta` members sent with every list request (a gateway's federation marker). */
  readonly meta?: Readonly<Record<string, unknown>>;
}

/**
 * Connects to an upstream MCP server, in the newest protocol version it supports, and lists
 * everything it offers: all pages of tools, resources, resource templates and prompts, each only
 * when the server declares the capability. The connection is always closed afterwards, the
 * session ended (HTTP DELETE) when the upstream is sessionful. A stdio target runs in a process
 * of its own (key `discover:<uuid>`), leased from `stdio.supervisor` (or a private supervisor)
 * and released at the end.
 *
 * @throws {UpstreamError} `unreachable`, `timeout`, `unauthorized` or `protocol`; its message names
 *   the redacted URL and its `cause` is the original failure. When `target.signal` aborts, rejects
 *   with the signal's reason instead.
 */
export async function discoverUpstream(
  target: UpstreamTarget,
  stdio: UpstreamStdioOptions = {},
  reverseTunnels?: ReverseTunnelConnector,
): Promise<DiscoveredUpstream> {
  const timeoutMs = target.timeoutMs ?? DEFAULT_DISCOVERY_TIMEOUT_MS;
  if (!(timeoutMs > 0 && Number.isFinite(timeoutMs)))
    throw new RangeError("timeoutMs must be a positive number");
  const clientInfo = target.clientInfo ?? DEFAULT_CLIENT_INFO;
  let safeUrl: string;
  let connection: UpstreamConnection;
  let ownSupervisor: StdioSupervisor | undefined;
  if (target.transport === "REVERSE") {
    safeUrl = target.url;
    connection = reverseTunnels
      ? reverseTunnels.openConnection(target.url, { clientInfo })
      : unreachableConnection(target.url, clientInfo);
  } else if (target.transport === "STDIO") {
    safeUrl = target.url ?? `stdio://${target.command}`;
    // Without the gateway's supervisor, a private one that stops the process on release.
    const supervisor = stdio.supervisor ?? new StdioSupervisor({ idleTimeoutMs: 0 });
    if (supervisor !== stdio.supervisor) ownSupervisor = supervisor;
    connection = openStdioUpstreamConnection(target, {
      supervisor,
      serverId: target.serverId ?? safeUrl,
      key: `discover:${randomUUID()}`,
      label: safeUrl,
      clientInfo,
      ...(stdio.maxProcessesPerServer ? { maxProcessesPerServer: stdio.maxProcessesPerServer } : {}),
    });
  } else {
    const checked = checkUpstreamTarget(target.url, target.headers, target.transport);
    safeUrl = checked.safeUrl;
    connection = openUpstreamConnection(checked.endpoint, {
      transport: target.transport,
      clientInfo,
      ...(target.headers ? { headers: target.headers } : {}),
    });
  }
  const secrets =
    target.transport === "REVERSE"
      ? []
      : Object.values((target.transport === "STDIO" ? target.env : target.headers) ?? {});
  const maxPages = target.maxPagesPerList ?? DEFAULT_MAX_PAGES_PER_LIST;
  let deadline: DiscoveryDeadline | undefined;
  try {
    target.signal?.throwIfAborted();
    const running = new DiscoveryDeadline(timeoutMs, target.signal);
    deadline = running;
    const session = (async () => {
      await connection.connect(requestOptions(running));
      return listCatalog(connection.client, running, safeUrl, maxPages, target.meta);
    })();
    return await running.race(session);
  } catch (error) {
    if (deadline === undefined || deadline.abortedByCaller) throw target.signal?.reason ?? error;
    throw toUpstreamError(error, { url: safeUrl, timeoutMs, deadlinePassed: deadline.passed, secrets });
  } finally {
    deadline?.dispose();
    await connection.close();
    await ownSupervisor?.close();
  }
}

/**
 * Some servers declare `resources` but implement no `resources/templates/list`: that means no
 * templates, not a broken server.
 */
function withoutTemplates(error: unknown): {
  resourceTemplates: [];
  nextCursor?: undefined;
  _meta?: undefined;
} {
  if (error instanceof ProtocolError && error.code === ProtocolErrorCode.MethodNotFound) {
    return { resourceTemplates: [] };
  }
  throw error;
}

function requestOptions(deadline: DiscoveryDeadline): { signal: AbortSignal; timeout: number } {
  return { signal: deadline.signal, timeout: deadline.remainingMs() };
}

async function listCatalog(
  client: Client,
  deadline: DiscoveryDeadline,
  url: string,
  maxPages: number,
  meta: Readonly<Record<string, unknown>> | undefined,
): Promise<DiscoveredUpstream> {
  const protocolVersion = client.getNegotiatedProtocolVersion();
  if (protocolVersion === undefined) {
    throw new UpstreamError("protocol", url, `upstream ${url} negotiated no protocol version`);
  }
  const capabilities: Record<string, unknown> = { ...client.getServerCapabilities() };
  const paging = { url, maxPages, emptyCursorEnds: client.getProtocolEra() !== "modern" };
  const resultMeta: Record<string, unknown> = {};
  const walk = <T>(
    method: string,
    declared: boolean,
    fetchPage: (params: { cursor?: string; _meta?: Record<string, unknown> }) => Promise<ListPage<T>>,
  ): Promise<T[]> => {
    if (!declared) return Promise.resolve([]);
    let first = true;
    return listAllPages(
      async (cursor) => {
        const page = await fetchPage({
          ...(cursor === undefined ? {} : { cursor }),
          ...(meta ? { _meta: { ...meta } } : {}),
        });
        if (first && page.meta) Object.assign(resultMeta, page.meta);
        first = false;
        return page;
      },
      { ...paging, method },
    );
  };
  const hasTools = capabilities.tools !== undefined;
  const hasResources = capabilities.resources !== undefined;
  const hasPrompts = capabilities.prompts !== undefined;

  const [tools, resources, resourceTemplates, prompts] = await Promise.all([
    walk("tools/list", hasTools, async (params) => {
      const page = await client.request({ method: "tools/list", params }, requestOptions(deadline));
      return { items: page.tools.map(toUpstreamTool), nextCursor: page.nextCursor, meta: page._meta };
    }),
    walk("resources/list", hasResources, async (params) => {
      const page = await client.request({ method: "resources/list", params }, requestOptions(deadline));
      return { items: page.resources.map(toUpstreamResource), nextCursor: page.nextCursor, meta: page._meta };
    }),
    walk("resources/templates/list", hasResources, async (params) => {
      const page = await client
        .request({ method: "resources/templates/list", params }, requestOptions(deadline))
        .catch(withoutTemplates);
      return {
        items: page.resourceTemplates.map(toUpstreamResourceTemplate),
        nextCursor: page.nextCursor,
        meta: page._meta,
      };
    }),
    walk("prompts/list", hasPrompts, async (params) => {
      const page = await client.request({ method: "prompts/list", params }, requestOptions(deadline));
      return { items: page.prompts.map(toUpstreamPrompt), nextCursor: page.nextCursor, meta: page._meta };
    }),
  ]);

  const instructions = client.getInstructions();
  return {
    protocolVersion,
    serverInfo: toUpstreamServerInfo(client.getServerVersion()),
    capabilities,
    ...(instructions === undefined ? {} : { instructions }),
    tools,
    resources,
    resourceTemplates,
    prompts,
    resultMeta,
  };
}
