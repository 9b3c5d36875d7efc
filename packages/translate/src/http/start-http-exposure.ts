import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { HEALTH_PATH, type ResolvedExposeOptions } from "../options/expose-options.js";
import type { ChildConnector } from "../relay/child-channel.js";
import { SessionRegistry } from "../sessions/session-registry.js";
import { HeaderEnv } from "./header-env.js";
import { sendJsonRpcError } from "./http-responses.js";
import { OriginPolicy } from "./origin-policy.js";
import { SseEndpoint } from "./sse-endpoint.js";
import { StatelessHttpEndpoint } from "./stateless-http-endpoint.js";
import { StreamableHttpEndpoint } from "./streamable-http-endpoint.js";
import { rejectUpgrade, WebSocketEndpoint } from "./websocket-endpoint.js";

/** The URLs a running bridge serves; only the exposed transports are set. */
export interface TranslateUrls {
  readonly sse?: string;
  readonly message?: string;
  readonly streamableHttp?: string;
  readonly websocket?: string;
  readonly health: string;
}

/** What {@link startHttpExposure} puts on the network. */
export interface HttpExposureOptions {
  readonly expose: ResolvedExposeOptions;
  /** Opens the backend of each session (stdio children, or an in-process MCP server). */
  readonly connector: ChildConnector;
  /** Fields added to the `/healthz` answer, besides `status` and `sessions`. */
  readonly health: () => Readonly<Record<string, unknown>>;
  /** Releases the backend once every session has ended (also when the port cannot be bound). */
  readonly release: () => Promise<void>;
}

/** A listening HTTP server serving MCP sessions. */
export interface HttpExposure {
  readonly port: number;
  readonly urls: TranslateUrls;
  /** Downstream sessions open now (stateless: requests being served). */
  readonly sessionCount: number;
  /** Stops accepting, ends every session, releases the backend, closes the listener; idempotent. */
  close(): Promise<void>;
}

/**
 * Serves SSE, streamable HTTP (sessions, or stateless) and/or WebSocket on one port, each
 * session's messages going to the channel `connector` opens for it. Rejects when the port cannot
 * be bound (after releasing the backend).
 */
export async function startHttpExposure(options: HttpExposureOptions): Promise<HttpExposure> {
  const { expose, connector } = options;
  const log = expose.logger;
  const headerEnv = new HeaderEnv(expose.headerToEnv);
  const sessions = new SessionRegistry({
    connector,
    maxSessions: expose.maxSessions,
    idleTimeoutMs: expose.sessionIdleTimeoutMs,
    log,
  });
  const common = {
    sessions,
    keepAliveMs: expose.keepAliveMs,
    contextOf: (req: IncomingMessage) => headerEnv.contextOf(req),
    log,
  };
  const sse = expose.exposeSse ? new SseEndpoint({ ...common, messagePath: expose.messagePath }) : undefined;
  const stateless = expose.stateless
    ? new StatelessHttpEndpoint({
        connector,
        jsonResponse: expose.jsonResponse,
        keepAliveMs: expose.keepAliveMs,
        maxRequests: expose.maxSessions,
        contextOf: (req, era) => headerEnv.contextOf(req, era),
        log,
      })
    : undefined;
  const streamable =
    expose.exposeStreamableHttp && !stateless
      ? new StreamableHttpEndpoint({ ...common, jsonResponse: expose.jsonResponse })
      : undefined;
  const websocket = expose.exposeWs ? new WebSocketEndpoint(common) : undefined;
  const policy = new OriginPolicy({
    corsOrigins: expose.corsOrigins,
    loopbackOnly: isLoopback(expose.host),
    extraHeaders: headerEnv.headers,
  });
  const openSessions = (): number => sessions.size + (stateless?.size ?? 0);

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!policy.admit(req, res)) return;
    const { path, query } = splitTarget(req.url ?? "/");
    if (path === HEALTH_PATH) {
      if (!allow(req, res, "GET", "HEAD")) return;
      res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-store" });
      res.end(JSON.stringify({ status: "ok", sessions: openSessions(), ...options.health() }));
      return;
    }
    if (sse && path === expose.ssePath) {
      if (allow(req, res, "GET")) await sse.openStream(req, res);
      return;
    }
    if (sse && path === expose.messagePath) {
      if (allow(req, res, "POST"))
        await sse.postMessage(req, res, new URLSearchParams(query).get("sessionId"));
      return;
    }
    if (streamable && path === expose.streamableHttpPath) {
      await streamable.handle(req, res);
      return;
    }
    if (stateless && path === expose.streamableHttpPath) {
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
    if (!websocket || path !== expose.wsPath) {
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
    await listen(server, expose.port, expose.host);
  } catch (error) {
    await options.release();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  return {
    port,
    urls: buildUrls(expose, port),
    get sessionCount(): number {
      return openSessions();
    },
    close(): Promise<void> {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        sessions.close("mcptranslate is shutting down");
        stateless?.close();
        websocket?.close();
        connector.close();
        await options.release();
        server.closeAllConnections();
        await closed;
        log("info", "stopped");
      })();
      return closing;
    },
  };
}

/** `SSE http://..., streamable HTTP http://...`: the exposed URLs, for the start-up log line. */
export function describeUrls(urls: TranslateUrls): string {
  const parts: string[] = [];
  if (urls.sse) parts.push(`SSE ${urls.sse}`);
  if (urls.streamableHttp) parts.push(`streamable HTTP ${urls.streamableHttp}`);
  if (urls.websocket) parts.push(`WebSocket ${urls.websocket}`);
  return parts.join(", ");
}

function allow(req: IncomingMessage, res: ServerResponse, ...methods: string[]): boolean {
  if (req.method !== undefined && methods.includes(req.method)) return true;
  sendJsonRpcError(res, 405, -32000, "Method not allowed.", { Allow: methods.join(", ") });
  return false;
}

/** A plain path (the common case) needs no URL parsing; anything else is normalised by `URL`. */
const PLAIN_PATH = /^\/[A-Za-z0-9_\-/]*$/;

/** The path and query string of a request target. */
function splitTarget(target: string): { path: string; query: string } {
  const mark = target.indexOf("?");
  const path = mark === -1 ? target : target.slice(0, mark);
  if (PLAIN_PATH.test(path) && !path.includes("//")) {
    return { path, query: mark === -1 ? "" : target.slice(mark + 1) };
  }
  const url = new URL(target, "http://localhost");
  return { path: url.pathname, query: url.search.slice(1) };
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

function buildUrls(options: ResolvedExposeOptions, port: number): TranslateUrls {
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  const http = `http://${host}:${port}`;
  return {
    ...(options.exposeSse ? { sse: http + options.ssePath, message: http + options.messagePath } : {}),
    ...(options.exposeStreamableHttp ? { streamableHttp: http + options.streamableHttpPath } : {}),
    ...(options.exposeWs ? { websocket: `ws://${host}:${port}${options.wsPath}` } : {}),
    health: http + HEALTH_PATH,
  };
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host.startsWith("127.");
}
