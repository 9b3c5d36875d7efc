import type { IncomingMessage, ServerResponse } from "node:http";
import { localhostAllowedHostnames, validateHostHeader } from "@modelcontextprotocol/server";
import { headerOf, sendJsonRpcError } from "./http-responses.js";

const ALLOWED_HEADERS =
  "Content-Type, Accept, Authorization, Mcp-Session-Id, Mcp-Protocol-Version, Last-Event-ID";
const EXPOSED_HEADERS = "Mcp-Session-Id, Mcp-Protocol-Version";
const LOOPBACK = new Set(localhostAllowedHostnames());

/** Options of {@link OriginPolicy}. */
export interface OriginPolicyOptions {
  /** Origins given CORS access (`*` for any). */
  readonly corsOrigins: readonly string[];
  /** Bound to a loopback address: then `Host` must name a loopback host (DNS rebinding). */
  readonly loopbackOnly: boolean;
}

/**
 * Who may call the bridge from a browser. A request with an `Origin` header passes when that
 * origin is in `--cors` (or `--cors` has `*`), or is a loopback origin; any other present origin
 * gets 403 (MCP transports spec). On a loopback bind the `Host` header must be a loopback name too,
 * which stops DNS rebinding (a rebound page is same-origin, so it sends no `Origin` on GET).
 * Requests without `Origin` (every non-browser client) pass.
 */
export class OriginPolicy {
  readonly #cors: ReadonlySet<string>;
  readonly #anyOrigin: boolean;
  readonly #loopbackOnly: boolean;

  constructor(options: OriginPolicyOptions) {
    this.#cors = new Set(options.corsOrigins);
    this.#anyOrigin = this.#cors.has("*");
    this.#loopbackOnly = options.loopbackOnly;
  }

  /** Checks the request and sets CORS headers; false when it has already been answered. */
  admit(req: IncomingMessage, res: ServerResponse): boolean {
    const rejection = this.rejection(req);
    if (rejection !== undefined) {
      sendJsonRpcError(res, 403, -32000, `Forbidden: ${rejection}`);
      return false;
    }
    const origin = headerOf(req, "origin");
    if (origin !== undefined && (this.#anyOrigin || this.#cors.has(origin))) {
      res.setHeader("Access-Control-Allow-Origin", this.#anyOrigin ? "*" : origin);
      res.setHeader("Vary", "Origin");
      res.setHeader("Access-Control-Expose-Headers", EXPOSED_HEADERS);
    }
    if (req.method === "OPTIONS") {
      res.writeHead(204, {
        "Access-Control-Allow-Methods": "GET, POST, DELETE, OPTIONS",
        "Access-Control-Allow-Headers": ALLOWED_HEADERS,
        "Access-Control-Max-Age": "86400",
      });
      res.end();
      return false;
    }
    return true;
  }

  /** Why the request is refused, or undefined when it may proceed (also for WebSocket upgrades). */
  rejection(req: IncomingMessage): string | undefined {
    if (this.#loopbackOnly) {
      const host = validateHostHeader(headerOf(req, "host"), [...LOOPBACK]);
      if (!host.ok) return host.message;
    }
    const origin = headerOf(req, "origin");
    if (origin === undefined || this.#anyOrigin || this.#cors.has(origin)) return undefined;
    return isLoopbackOrigin(origin) ? undefined : `Origin ${origin} is not allowed`;
  }
}

function isLoopbackOrigin(origin: string): boolean {
  try {
    return LOOPBACK.has(new URL(origin).hostname);
  } catch {
    return false;
  }
}
