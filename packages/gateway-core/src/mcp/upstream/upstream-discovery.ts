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
import { toUpstreamError } from "./to-upstream-error.js";
import type { DiscoveredUpstream } from "./upstream-catalog.js";
import {
  openUpstreamConnection,
  type UpstreamClientInfo,
  type UpstreamHttpTransport,
} from "./upstream-connection.js";
import { UpstreamError } from "./upstream-error.js";

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
export type { UpstreamClientInfo, UpstreamHttpTransport } from "./upstream-connection.js";
export { UpstreamError, type UpstreamErrorCode } from "./upstream-error.js";

/** The whole-discovery deadline used when the target sets none. */
export const DEFAULT_DISCOVERY_TIMEOUT_MS = 15_000;
/** Pages of one list fetched at most before discovery fails with a `protocol` error. */
export const DEFAULT_MAX_PAGES_PER_LIST = 1_000;
const DEFAULT_CLIENT_INFO: UpstreamClientInfo = { name: "contextforge-gateway", version: "0.0.0" };

/** An upstream MCP server reachable over HTTP, as registered by a user. */
export interface UpstreamTarget {
  readonly url: string;
  readonly transport: UpstreamHttpTransport;
  /** Sent on every request, e.g. `Authorization` (already decrypted). Never logged or echoed. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Deadline for the whole discovery (connect, every page of every list). Default 15000. */
  readonly timeoutMs?: number;
  /** Aborting it ends discovery; the promise then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Pages per list before giving up on a server that never stops paginating. Default 1000. */
  readonly maxPagesPerList?: number;
  /** How the gateway introduces itself. Default `contextforge-gateway`. */
  readonly clientInfo?: UpstreamClientInfo;
}

/**
 * Connects to an upstream MCP server, in the newest protocol version it supports, and lists
 * everything it offers: all pages of tools, resources, resource templates and prompts, each only
 * when the server declares the capability. The connection is always closed afterwards, the
 * session ended (HTTP DELETE) when the upstream is sessionful.
 *
 * @throws {UpstreamError} `unreachable`, `timeout`, `unauthorized` or `protocol`; its message names
 *   the redacted URL and its `cause` is the original failure. When `target.signal` aborts, rejects
 *   with the signal's reason instead.
 */
export async function discoverUpstream(target: UpstreamTarget): Promise<DiscoveredUpstream> {
  const { endpoint, safeUrl } = checkUpstreamTarget(target.url, target.headers);
  const timeoutMs = target.timeoutMs ?? DEFAULT_DISCOVERY_TIMEOUT_MS;
  if (!(timeoutMs > 0 && Number.isFinite(timeoutMs)))
    throw new RangeError("timeoutMs must be a positive number");
  target.signal?.throwIfAborted();
  const deadline = new DiscoveryDeadline(timeoutMs, target.signal);
  const connection = openUpstreamConnection(endpoint, {
    transport: target.transport,
    clientInfo: target.clientInfo ?? DEFAULT_CLIENT_INFO,
    ...(target.headers ? { headers: target.headers } : {}),
  });
  const maxPages = target.maxPagesPerList ?? DEFAULT_MAX_PAGES_PER_LIST;
  try {
    const session = (async () => {
      await connection.client.connect(connection.transport, requestOptions(deadline));
      return listCatalog(connection.client, deadline, safeUrl, maxPages);
    })();
    return await deadline.race(session);
  } catch (error) {
    if (deadline.abortedByCaller) throw target.signal?.reason ?? error;
    throw toUpstreamError(error, {
      url: safeUrl,
      timeoutMs,
      deadlinePassed: deadline.passed,
      secrets: Object.values(target.headers ?? {}),
    });
  } finally {
    deadline.dispose();
    await connection.close();
  }
}

/**
 * Some servers declare `resources` but implement no `resources/templates/list`: that means no
 * templates, not a broken server.
 */
function withoutTemplates(error: unknown): { resourceTemplates: []; nextCursor?: undefined } {
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
): Promise<DiscoveredUpstream> {
  const protocolVersion = client.getNegotiatedProtocolVersion();
  if (protocolVersion === undefined) {
    throw new UpstreamError("protocol", url, `upstream ${url} negotiated no protocol version`);
  }
  const capabilities: Record<string, unknown> = { ...client.getServerCapabilities() };
  const paging = { url, maxPages, emptyCursorEnds: client.getProtocolEra() !== "modern" };
  const walk = <T>(
    method: string,
    declared: boolean,
    fetchPage: (params: { cursor?: string }) => Promise<ListPage<T>>,
  ): Promise<T[]> =>
    declared
      ? listAllPages((cursor) => fetchPage(cursor === undefined ? {} : { cursor }), { ...paging, method })
      : Promise.resolve([]);
  const hasTools = capabilities.tools !== undefined;
  const hasResources = capabilities.resources !== undefined;
  const hasPrompts = capabilities.prompts !== undefined;

  const [tools, resources, resourceTemplates, prompts] = await Promise.all([
    walk("tools/list", hasTools, async (params) => {
      const page = await client.request({ method: "tools/list", params }, requestOptions(deadline));
      return { items: page.tools.map(toUpstreamTool), nextCursor: page.nextCursor };
    }),
    walk("resources/list", hasResources, async (params) => {
      const page = await client.request({ method: "resources/list", params }, requestOptions(deadline));
      return { items: page.resources.map(toUpstreamResource), nextCursor: page.nextCursor };
    }),
    walk("resources/templates/list", hasResources, async (params) => {
      const page = await client
        .request({ method: "resources/templates/list", params }, requestOptions(deadline))
        .catch(withoutTemplates);
      return { items: page.resourceTemplates.map(toUpstreamResourceTemplate), nextCursor: page.nextCursor };
    }),
    walk("prompts/list", hasPrompts, async (params) => {
      const page = await client.request({ method: "prompts/list", params }, requestOptions(deadline));
      return { items: page.prompts.map(toUpstreamPrompt), nextCursor: page.nextCursor };
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
  };
}
