import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  hostHeaderValidation,
  localhostHostValidation,
  localhostOriginValidation,
  type NodeIncomingMessageLike,
  toNodeHandler,
} from "@modelcontextprotocol/node";
import { createMcpHandler } from "@modelcontextprotocol/server";
import { createFastTimeServer, type FastTimeServerOptions } from "../mcp/fast-time-server.js";
import { packageVersion } from "../package-version.js";

/** Options for {@link startHttpServer}. */
export interface StartHttpServerOptions extends FastTimeServerOptions {
  /** TCP port; `0` picks a free one. Default 8080. */
  readonly port?: number;
  /** Interface to bind. Default `127.0.0.1`. */
  readonly host?: string;
  /**
   * `Host` header names accepted when bound to a non-loopback interface. On loopback only
   * localhost names (and localhost origins) are accepted, against DNS rebinding.
   */
  readonly allowedHosts?: readonly string[];
}

/** A listening server; {@link RunningHttpServer.close} ends it. */
export interface RunningHttpServer {
  /** The MCP endpoint, e.g. `http://127.0.0.1:8080/mcp`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Aborts open MCP exchanges, closes every connection and stops listening. */
  close(): Promise<void>;
}

type Guard = (req: IncomingMessage, res: ServerResponse) => boolean;

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

function guardsFor(host: string, allowedHosts: readonly string[] | undefined): Guard[] {
  if (LOOPBACK.has(host)) return [localhostHostValidation(), localhostOriginValidation()];
  return allowedHosts === undefined ? [] : [hostHeaderValidation([...allowedHosts])];
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

/**
 * Serves MCP over streamable HTTP at `/mcp` (the current protocol, and the 2025 revisions
 * statelessly) and a liveness check at `GET /health`. Resolves once the socket is listening.
 */
export async function startHttpServer(options: StartHttpServerOptions = {}): Promise<RunningHttpServer> {
  const host = options.host ?? "127.0.0.1";
  const serverOptions: FastTimeServerOptions = options.now ? { now: options.now } : {};
  const mcp = createMcpHandler(() => createFastTimeServer(serverOptions), {
    onerror: (error) => console.error(`mcp-fast-time: ${error.message}`),
  });
  const handleMcp = toNodeHandler(mcp);
  const guards = guardsFor(host, options.allowedHosts);

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (path === "/health") {
      if (req.method !== "GET" && req.method !== "HEAD")
        return sendJson(res, 405, { error: "method not allowed" });
      return sendJson(res, 200, { status: "ok", name: "mcp-fast-time", version: packageVersion() });
    }
    if (path !== "/mcp") return sendJson(res, 404, { error: "not found" });
    for (const guard of guards) if (!guard(req, res)) return;
    // The SDK declares `method?: string` without `| undefined`, which exactOptionalPropertyTypes rejects.
    handleMcp(req as NodeIncomingMessageLike, res).catch((error: unknown) => {
      console.error("mcp-fast-time: request failed", error);
      if (!res.headersSent) sendJson(res, 500, { error: "internal error" });
      else res.end();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8080, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}/mcp`,
    host,
    port,
    close() {
      closing ??= (async () => {
        await mcp.close();
        await new Promise<void>((resolve, reject) => {
          server.close((error) => (error ? reject(error) : resolve()));
          server.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}
