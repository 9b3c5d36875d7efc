import type { IncomingMessage, ServerResponse } from "node:http";
import { localhostAllowedHostnames, validateHostHeader } from "@modelcontextprotocol/server";
import { headerOf, sendJsonRpcError } from "./http-responses.js";

const ALLOWED_HEADERS = [
  "Content-Type",
  "Accept",
  "Authorization",
  "Mcp-Session-Id",
  "Mcp-Protocol-Version",
  "Last-Event-ID",
  // The 2026-07-28 request headers.
  "Mcp-Method",
  "Mcp-Name",
];
const EXPOSED_HEADERS = "Mcp-Session-Id, Mcp-Protocol-Version";
const LOOPBACK = new Set(localhostAllowedHostnames());
const LOOPBACK_HOSTNAMES = [...LOOPBACK];

/** Options of {@link OriginPolicy}. */
export interface OriginPolicyOptions {
  /** Origins given CORS access (`*` for any). */
  readonly corsOrigins: readonly string[];
  /** Bound to a loopback address: then `Host` must name a loopback host (DNS rebinding). */
  readonly loopbackOnly: boolean;
  /** Request headers a browser may send besides the MCP ones (`--header-to-env`). */
  readonly extraHeaders?: readonly string[];
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
  readonly #allowedHeaders: string;
  /** The last `Host` value found valid: clients send the same one on every request. */
  #admittedHost: string | undefined;

  constructor(options: OriginPolicyOptions) {
    this.#cors = new Set(options.corsOrigins);
    this.#anyOrigin = this.#cors.has("*");
    this.#loopbackOnly = options.loopbackOnly;
    this.#allowedHeaders = [...ALLOWED_HEADERS, ...(options.extraHeaders ?? [])].join(", ");
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
        "Access-Control-Allow-Headers": this.#allowedHeaders + paramHeaders(req),
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
      const value = headerOf(req, "host");
      if (value === undefined || value !== this.#admittedHost) {
        const host = validateHostHeader(value, LOOPBACK_HOSTNAMES);
        if (!host.ok) return host.message;
        this.#admittedHost = value;
      }
    }
    const origin = headerOf(req, "origin");
    if (origin === undefined || this.#anyOrigin || this.#cors.has(origin)) return undefined;
    return isLoopbackOrigin(origin) ? undefined : `Origin ${origin} is not allowed`;
  }
}

/** The 2026-07-28 `Mcp-Param-*` headers a preflight asks for (their names depend on the tool). */
function paramHeaders(req: IncomingMessage): string {
  const requested = headerOf(req, "access-control-request-headers") ?? "";
  const params = requested
    .split(",")
    .map((name) => name.trim())
    .filter((name) => /^mcp-param-[!#$%&'*+.^_`|~0-9a-z-]+$/i.test(name));
  return params.length === 0 ? "" : `, ${params.join(", ")}`;
}

function isLoopbackOrigin(origin: string): boolean {
  try {
    return LOOPBACK.has(new URL(origin).hostname);
  } catch {
    return false;
  }
}
