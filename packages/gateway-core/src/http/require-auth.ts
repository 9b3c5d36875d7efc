import type { MiddlewareHandler } from "hono";
import type { Authenticator } from "../auth/authenticate.js";
import type { GatewayEnv } from "../auth/principal.js";
import { GatewayError } from "../errors/gateway-error.js";

/** Authenticates every request it guards and stores the principal on the context. */
export function requireAuth(authenticate: Authenticator, headerName: string): MiddlewareHandler<GatewayEnv> {
  return async (c, next) => {
    try {
      c.set("principal", await authenticate(c.req.header(headerName)));
    } catch (error) {
      if (error instanceof GatewayError && error.code === "unauthorized") {
        c.header("WWW-Authenticate", 'Bearer realm="mcpgateway"');
      }
      throw error;
    }
    await next();
  };
}
