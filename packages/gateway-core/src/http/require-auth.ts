import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context, MiddlewareHandler } from "hono";
import type { Authenticator, AuthRequestContext } from "../auth/authenticate.js";
import type { GatewayEnv } from "../auth/principal.js";
import { GatewayError } from "../errors/gateway-error.js";

/** The client's socket address; undefined when the app is called without a socket (`app.request`). */
export function clientAddress(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}

/** What the authenticator needs from a request besides its Authorization header. */
export function authRequestContext(c: Context, proxyUserHeader: string | undefined): AuthRequestContext {
  return {
    ip: clientAddress(c),
    proxyUser: proxyUserHeader === undefined ? undefined : c.req.header(proxyUserHeader),
  };
}

/** Authenticates every request it guards and stores the principal on the context. */
export function requireAuth(
  authenticate: Authenticator,
  headerName: string,
  proxyUserHeader?: string,
): MiddlewareHandler<GatewayEnv> {
  return async (c, next) => {
    try {
      c.set(
        "principal",
        await authenticate(c.req.header(headerName), authRequestContext(c, proxyUserHeader)),
      );
    } catch (error) {
      if (error instanceof GatewayError && error.code === "unauthorized") {
        c.header("WWW-Authenticate", 'Bearer realm="mcpgateway"');
      }
      throw error;
    }
    await next();
  };
}
