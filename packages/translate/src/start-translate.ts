import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { type StdioServerSpec, StdioSupervisor } from "@contextforge/mcp-transport";
import { HeaderEnv } from "./http/header-env.js";
import { sendJsonRpcError } from "./http/http-responses.js";
import { OriginPolicy } from "./http/origin-policy.js";
import { SseEndpoint } from "./http/sse-endpoint.js";
import { StatelessHttpEndpoint } from "./http/stateless-http-endpoint.js";
import { StreamableHttpEndpoint } from "./http/streamable-http-endpoint.js";
import { rejectUpgrade, WebSocketEndpoint } from "./http/websocket-endpoint.js";
import {
  HEALTH_PATH,
  type ResolvedTranslateOptions,
  resolveTranslateOptions,
  type TranslateOptions,
} from "./options/translate-options.js";
import type { ChildConnector } from "./relay/child-channel.js";
import { DedicatedConnector } from "./relay/dedicated-connector.js";
import { SharedConnector } from "./relay/shared-connector.js";
import { SessionRegistry } from "./sessions/session-registry.js";

/** The URLs a running bridge serves; only the exposed transports are set. */
export interface TranslateUrls {
  readonly sse?: string;
  readonly message?: string;
  readonly streamableHttp?: string;
  readonly websocket?: string;
  readonly health: string;
}

/** A running bridge, from {@link startTranslate}. */
export interface TranslateHandle {
  /** The bound port (useful with `port: 0`). */
  readonly port: number;
  readonly urls: TranslateUrls;
  /** Downstream sessions open now (with `stateless`: requests being served). */
  readonly sessionCount: number;
  /** Pids of the stdio children alive now. */
  childPids(): number[];
  /**
   * Stops accepting, ends every session and every child (waiting until they have exited), then
   * closes the listener; idempotent.
   */
  close(): Promise<void>;
}

const SERVER_ID = "stdio";

/**
 * Exposes a stdio MCP server over SSE, streamable HTTP (sessions, or `stateless`) and/or WebSocket
 * on one port. Throws a
 * `TranslateError` (`invalid_options`) for options that cannot work together; rejects when the
 * port cannot be bound.
 */
export async function startTranslate(options: TranslateOptions): Promise<TranslateHandle> {
  const resolved = resolveTranslateOptions(options);
  const log = resolved.logger;
  const spec: StdioServerSpec = {
    serverId: SERVER_ID,
    command: resolved.command,
    args: resolved.args,
    env: resolved.env,
    // Shared children: one per distinct --header-to-env values (and era), at most one per session.
    maxProcesses: resolved.maxSessions,
  };
  const mapped = new Set(resolved.headerToEnv.map((mapping) => mapping.env));
  const supervisor = new StdioSupervisor({
    maxProcesses: resolved.maxSessions,
    // A released child is stopped at once: it served its sessions (or the bridge is closing).
    idleTimeoutMs: 0,
    killGraceMs: resolved.killGraceMs,
    // A local bridge passes its whole environment on, as a shell would, except the variables
    // that --header-to-env sets: a request without the header must not get this process's value.
    inheritEnv: Object.keys(process.env).filter((name) => !mapped.has(name)),
    ...(resolved.onChildStderr ? { onStderr: resolved.onChildStderr } : {}),
  });
  const connector: ChildConnector = resolved.shared
    ? new SharedConnector({
        supervisor,
        spec,
        stateless: resolved.stateless,
        idleTimeoutMs: resolved.sessionIdleTimeoutMs,
        log,
      })
    : new DedicatedConnector(supervisor, spec);
  const headerEnv = new HeaderEnv(resolved.headerToEnv);
  const sessions = new SessionRegistry({
    connector,
    maxSessions: resolved.maxSessions,
    idleTimeoutMs: resolved.sessionIdleTimeoutMs,
    log,
  });
  const common = {
    sessions,
    keepAliveMs: resolved.keepAliveMs,
    contextOf: (req: IncomingMessage) => headerEnv.contextOf(req),
    log,
  };
  const sse = resolved.exposeSse
    ? new SseEndpoint({ ...common, messagePath: resolved.messagePath })
    : undefined;
  const stateless = resolved.stateless
    ? new StatelessHttpEndpoint({
        connector,
        jsonResponse: resolved.jsonResponse,
        keepAliveMs: resolved.keepAliveMs,
        maxRequests: resolved.maxSessions,
        contextOf: (req, era) => headerEnv.contextOf(req, era),
        log,
      })
    : undefined;
  const streamable =
    resolved.exposeStreamableHttp && !stateless
      ? new StreamableHttpEndpoint({ ...common, jsonResponse: resolved.jsonResponse })
      : undefined;
  const websocket = resolved.exposeWs ? new WebSocketEndpoint(common) : undefined;
  const policy = new OriginPolicy({
    corsOrigins: resolved.corsOrigins,
    loopbackOnly: isLoopback(resolved.host),
    extraHeaders: headerEnv.headers,
  });
  const openSessions = (): number => sessions.size + (stateless?.size ?? 0);

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!policy.admit(req, res)) return;
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname;
    if (path === HEALTH_PATH) {
      if (!allow(req, res, "GET", "HEAD")) return;
      res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-store" });
      res.end(JSON.stringify({ status: "ok", sessions: openSessions(), children: supervisor.processCount }));
      return;
    }
    if (sse && path === resolved.ssePath) {
      if (allow(req, res, "GET")) await sse.openStream(req, res);
      return;
    }
    if (sse && path === resolved.messagePath) {
      if (allow(req, res, "POST")) await sse.postMessage(req, res, url.searchParams.get("sessionId"));
      return;
    }
    if (streamable && path === resolved.streamableHttpPath) {
      await streamable.handle(req, res);
      return;
    }
    if (stateless && path === resolved.streamableHttpPath) {
      await stateless.handle(req, res);
      return;
    }
    sendJsonRpcError(res, 404, -32000, `Not Found: ${path}`);
  };

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      log("error", `request ${req.method} ${req.url} failed: ${(error as Error).stack ?? String(error)}`);
      sendJsonRpcError(res, 500, -32603, "Internal error");
    });
  });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => {});
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (!websocket || path !== resolved.wsPath) {
      rejectUpgrade(socket, { code: 404, message: `Not Found: ${path}` });
      return;
    }
    const rejection = policy.rejection(req);
    if (rejection !== undefined) {
      rejectUpgrade(socket, { code: 403, message: `Forbidden: ${rejection}` });
      return;
    }
    websocket.upgrade(req, socket, head).catch((error: unknown) => {
      log("error", `WebSocket upgrade failed: ${(error as Error).message}`);
      socket.destroy();
    });
  });

  try {
    await listen(server, resolved.port, resolved.host);
  } catch (error) {
    await supervisor.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const urls = buildUrls(resolved, port);
  log(
    "info",
    `serving "${[resolved.command, ...resolved.args].join(" ")}" on ${describeUrls(urls)}${describeMode(resolved)}`,
  );

  let closing: Promise<void> | undefined;
  return {
    port,
    urls,
    get sessionCount(): number {
      return openSessions();
    },
    childPids: () =>
      supervisor
        .processes()
        .map((info) => info.pid)
        .filter((pid) => pid !== undefined),
    close(): Promise<void> {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        sessions.close("mcptranslate is shutting down");
        stateless?.close();
        websocket?.close();
        connector.close();
        await supervisor.close();
        server.closeAllConnections();
        await closed;
        log("info", "stopped");
      })();
      return closing;
    },
  };
}

function allow(req: IncomingMessage, res: ServerResponse, ...methods: string[]): boolean {
  if (req.method !== undefined && methods.includes(req.method)) return true;
  sendJsonRpcError(res, 405, -32000, "Method not allowed.", { Allow: methods.join(", ") });
  return false;
}

function listen(server: ReturnType<typeof createServer>, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

function buildUrls(options: ResolvedTranslateOptions, port: number): TranslateUrls {
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  const http = `http://${host}:${port}`;
  return {
    ...(options.exposeSse ? { sse: http + options.ssePath, message: http + options.messagePath } : {}),
    ...(options.exposeStreamableHttp ? { streamableHttp: http + options.streamableHttpPath } : {}),
    ...(options.exposeWs ? { websocket: `ws://${host}:${port}${options.wsPath}` } : {}),
    health: http + HEALTH_PATH,
  };
}

function describeUrls(urls: TranslateUrls): string {
  const parts: string[] = [];
  if (urls.sse) parts.push(`SSE ${urls.sse}`);
  if (urls.streamableHttp) parts.push(`streamable HTTP ${urls.streamableHttp}`);
  if (urls.websocket) parts.push(`WebSocket ${urls.websocket}`);
  return parts.join(", ");
}

function describeMode(options: ResolvedTranslateOptions): string {
  const names = options.headerToEnv.map((mapping) => mapping.env).join(", ");
  const keyed = names === "" ? "" : ` keyed by ${names}`;
  if (options.stateless) return ` (stateless, shared children${keyed})`;
  if (options.shared) return names === "" ? " (shared child)" : ` (shared children${keyed})`;
  return names === "" ? "" : ` (each child gets ${names} from its session's request headers)`;
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host.startsWith("127.");
}
