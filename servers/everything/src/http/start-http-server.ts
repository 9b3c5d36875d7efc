import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  hostHeaderValidation,
  localhostHostValidation,
  localhostOriginValidation,
  originValidation,
  toNodeHandler,
} from "@modelcontextprotocol/node";
import { createMcpHandler, isLegacyRequest, type McpServer } from "@modelcontextprotocol/server";
import { buildEverythingServer, createEverythingServer } from "../everything-server.js";
import { EverythingState } from "../everything-state.js";
import { LegacySessions } from "./legacy-sessions.js";

/** Options for {@link startHttpServer}. */
export interface HttpServerOptions {
  /** TCP port; `0` picks a free one. Default 3001. */
  readonly port?: number;
  /** Interface to bind. Default `127.0.0.1`. */
  readonly host?: string;
  /** Items per list page. */
  readonly pageSize?: number;
  /** The version reported in `serverInfo`. */
  readonly version?: string;
  /**
   * Host names accepted in `Host` and `Origin` (DNS-rebinding protection). Default: the loopback
   * names when bound to a loopback address, otherwise no check.
   */
  readonly allowedHosts?: readonly string[];
  /** Receives diagnostic lines. Default: discard. */
  readonly log?: (line: string) => void;
  /**
   * Serve the 2025 protocol versions only, answering 2026-07-28 requests with -32022 so clients
   * fall back: a stand-in for the many upstreams that do not speak 2026 yet.
   */
  readonly legacyOnly?: boolean;
}

/** A running HTTP server; {@link RunningHttpServer.close} stops it. */
export interface RunningHttpServer {
  /** The MCP endpoint, e.g. `http://127.0.0.1:3001/mcp`. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

type Guard = (req: IncomingMessage, res: ServerResponse) => boolean;

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

function guardsFor(host: string, allowedHosts: readonly string[] | undefined): Guard[] {
  if (allowedHosts !== undefined)
    return [hostHeaderValidation([...allowedHosts]), originValidation([...allowedHosts])];
  return LOOPBACK.has(host) ? [localhostHostValidation(), localhostOriginValidation()] : [];
}

type PooledInstance = ReturnType<typeof buildEverythingServer>;

/** How many idle 2026-07-28 instances {@link ModernInstancePool} keeps. */
const MAX_IDLE_INSTANCES = 64;

/**
 * The 2026-07-28 path serves each request with a server instance the SDK connects to a
 * per-request transport and closes after the exchange. Building one (every tool, resource and
 * prompt, their schemas) cost more than the call itself, so instances are reused: an instance
 * goes back to the pool when its exchange closes (the SDK then holds no transport on it) and is
 * brought in line with the shared state (the extra tool and prompt) and stripped of the previous
 * caller's identity when taken again. Only when every pooled instance is busy is a new one built.
 */
class ModernInstancePool {
  readonly #idle: PooledInstance[] = [];
  readonly #build: () => PooledInstance;

  constructor(build: () => PooledInstance) {
    this.#build = build;
  }

  acquire(): McpServer {
    let entry = this.#idle.pop();
    while (entry?.server.isConnected()) entry = this.#idle.pop();
    if (entry === undefined) entry = this.#build();
    else {
      entry.syncExtras();
      forgetClientIdentity(entry.server);
    }
    const taken = entry;
    const low = taken.server.server;
    let released = false;
    low.onclose = () => {
      if (released) return;
      released = true;
      delete low.onclose;
      if (this.#idle.length < MAX_IDLE_INSTANCES) this.#idle.push(taken);
    };
    return taken.server;
  }
}

/**
 * The SDK seeds the client's info and capabilities from each request's envelope only when present;
 * a reused instance must not answer a request with the previous caller's.
 */
function forgetClientIdentity(server: McpServer): void {
  const low = server.server as unknown as { _clientCapabilities?: unknown; _clientVersion?: unknown };
  low._clientCapabilities = undefined;
  low._clientVersion = undefined;
}

/**
 * Serves MCP over streamable HTTP at `/mcp`, both protocol eras on one URL: 2026-07-28 requests
 * (those carrying the `_meta` protocol-version claim) go to the SDK's stateless handler with a
 * server instance per request taken from a pool ({@link ModernInstancePool}); everything else is
 * the sessionful 2025 wire.
 */
export async function startHttpServer(options: HttpServerOptions = {}): Promise<RunningHttpServer> {
  const host = options.host ?? "127.0.0.1";
  const log = options.log ?? (() => {});
  const state = new EverythingState();
  const common = {
    state,
    log,
    ...optional("pageSize", options.pageSize),
    ...optional("version", options.version),
  };
  const pool = new ModernInstancePool(() => buildEverythingServer({ ...common, era: "modern", live: false }));
  const modern = createMcpHandler(() => pool.acquire(), { legacy: "reject" });
  const legacy = new LegacySessions(() => createEverythingServer({ ...common, era: "legacy" }));
  const stopRelaying = state.onChange((change) => {
    if (change.kind === "tools") modern.notify.toolsChanged();
    else if (change.kind === "prompts") modern.notify.promptsChanged();
    else modern.notify.resourceUpdated(change.uri);
  });
  const handle = toNodeHandler({
    fetch: async (request) => {
      if (await isLegacyRequest(request)) return legacy.fetch(request);
      return options.legacyOnly ? unsupportedVersion(request) : modern.fetch(request);
    },
  });
  const guards = guardsFor(host, options.allowedHosts);

  const server = createServer((req, res) => {
    for (const guard of guards) if (!guard(req, res)) return;
    if (new URL(req.url ?? "/", "http://localhost").pathname !== "/mcp") {
      res.writeHead(404, { "content-type": "text/plain" }).end("Not found: the MCP endpoint is /mcp\n");
      return;
    }
    // IncomingMessage types `method` and `url` as optional; a server-side request always has both.
    void handle(req as Parameters<typeof handle>[0], res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 3001, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(":") ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}/mcp`,
    port,
    async close() {
      stopRelaying();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled([legacy.close(), modern.close()]);
      server.closeAllConnections();
      await closed;
    },
  };
}

const LEGACY_VERSIONS = ["2025-11-25", "2025-06-18", "2025-03-26"];

/**
 * How a 2025-only server answers a 2026-07-28 request: HTTP 400 with -32022 and the versions it
 * supports, so a client falls back to the initialize handshake.
 */
async function unsupportedVersion(request: Request): Promise<Response> {
  let id: unknown = null;
  let requested: unknown = request.headers.get("mcp-protocol-version");
  try {
    const body = (await request.json()) as { id?: unknown; params?: { _meta?: Record<string, unknown> } };
    id = body.id ?? null;
    requested = body.params?._meta?.["io.modelcontextprotocol/protocolVersion"] ?? requested;
  } catch {
    // Not JSON: answered the same way.
  }
  return Response.json(
    {
      jsonrpc: "2.0",
      id,
      error: {
        code: -32022,
        message: "Unsupported protocol version",
        data: { supported: LEGACY_VERSIONS, requested },
      },
    },
    { status: 400 },
  );
}

/** `{ [key]: value }` when value is defined, else `{}` (exactOptionalPropertyTypes-friendly spreading). */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}
