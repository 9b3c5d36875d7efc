import { createMcpHandler, isLegacyRequest, type McpHttpHandler } from "@modelcontextprotocol/server";
import type { Context } from "hono";
import type { GatewayEnv } from "../../auth/principal.js";
import type { McpRouter, McpView } from "../router.js";
import { createGatewayMcpServer } from "./gateway-mcp-server.js";
import { LegacySessions } from "./legacy-sessions.js";

/** Options of the streamable HTTP endpoint. */
export interface StreamableHttpOptions {
  readonly router: McpRouter;
  readonly version: string;
  readonly maxRequestBodyBytes: number;
  readonly maxSessions: number;
  readonly sessionIdleTimeoutMs: number;
}

/** The streamable HTTP endpoint: a Hono handler, and `close()` for shutdown. */
export interface StreamableHttpEndpoint {
  handle(c: Context<GatewayEnv>, serverId: string | undefined): Promise<Response>;
  readonly sessions: LegacySessions;
  close(): Promise<void>;
}

/**
 * `/mcp` and `/servers/{id}/mcp`: both protocol eras on one URL, decided per request as the SDK
 * does (its `isLegacyRequest`): 2026-07-28 requests are served statelessly, one SDK server per
 * request; 2025 traffic gets sessions.
 */
export function createStreamableHttpEndpoint(options: StreamableHttpOptions): StreamableHttpEndpoint {
  const { router, version } = options;
  const sessions = new LegacySessions({
    maxSessions: options.maxSessions,
    idleTimeoutMs: options.sessionIdleTimeoutMs,
  });
  const modern: McpHttpHandler = createMcpHandler(
    (ctx) => {
      const serverId = ctx.authInfo?.extra?.serverId;
      const view: McpView = { serverId: typeof serverId === "string" ? serverId : undefined };
      return createGatewayMcpServer(router, view, "modern", version);
    },
    { legacy: "reject", maxRequestBodySize: options.maxRequestBodyBytes },
  );

  return {
    sessions,
    async handle(c, serverId) {
      const view: McpView = { serverId };
      await router.checkView(view);
      const principal = c.get("principal");
      const request = c.req.raw;
      if (await isLegacyRequest(request, undefined, { maxRequestBodySize: options.maxRequestBodyBytes })) {
        return sessions.fetch(request, principal.subject, serverId ?? "", () =>
          createGatewayMcpServer(router, view, "legacy", version),
        );
      }
      return modern.fetch(request, {
        authInfo: { token: "", clientId: principal.subject, scopes: [], extra: { serverId } },
      });
    },
    async close() {
      await Promise.allSettled([sessions.close(), modern.close()]);
    },
  };
}
