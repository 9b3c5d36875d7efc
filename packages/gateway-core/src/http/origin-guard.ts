import type { MiddlewareHandler } from "hono";
import type { GatewayEnv } from "../auth/principal.js";
import { GatewayError } from "../errors/gateway-error.js";

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

function hostnameOf(hostHeader: string): string {
  // "[::1]:4444" -> "[::1]", "localhost:4444" -> "localhost"
  return hostHeader.startsWith("[")
    ? hostHeader.slice(0, hostHeader.indexOf("]") + 1)
    : (hostHeader.split(":")[0] ?? "");
}

/**
 * DNS-rebinding protection (MCP transport security): when the gateway listens on loopback,
 * a request must name a loopback host; a browser `Origin` must be the gateway itself, a
 * loopback origin (when on loopback), or one of `ALLOWED_ORIGINS`. Anything else is a 403.
 */
export function originGuard(
  bindHost: string,
  allowedOrigins: readonly string[],
): MiddlewareHandler<GatewayEnv> {
  const loopback = LOOPBACK_NAMES.has(bindHost);
  const allowed = new Set(allowedOrigins);
  return async (c, next) => {
    const host = c.req.header("host");
    if (loopback && host !== undefined && !LOOPBACK_NAMES.has(hostnameOf(host).toLowerCase())) {
      throw new GatewayError("forbidden", `Host ${JSON.stringify(host)} is not allowed`);
    }
    const origin = c.req.header("origin");
    if (origin !== undefined && origin !== "null" && !allowed.has("*") && !allowed.has(origin)) {
      let originHost = "";
      try {
        originHost = new URL(origin).host;
      } catch {
        throw new GatewayError("forbidden", "Origin is not a URL");
      }
      const sameOrigin = host !== undefined && originHost.toLowerCase() === host.toLowerCase();
      const loopbackOrigin = loopback && LOOPBACK_NAMES.has(hostnameOf(originHost).toLowerCase());
      if (!sameOrigin && !loopbackOrigin)
        throw new GatewayError("forbidden", `Origin ${origin} is not allowed`);
    }
    await next();
  };
}
