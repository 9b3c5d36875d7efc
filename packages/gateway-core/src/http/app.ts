import { type Context, Hono, type MiddlewareHandler } from "hono";
import type { AuthModule } from "../auth/auth-module.js";
import type { Authenticator } from "../auth/authenticate.js";
import type { GatewayEnv } from "../auth/principal.js";
import { createRbacRoutes } from "../auth/rbac/rbac-routes.js";
import { createTeamRoutes } from "../auth/teams/team-routes.js";
import { createTokenRoutes } from "../auth/tokens/token-routes.js";
import {
  assertPasswordChangeAllowed,
  createLoginRoutes,
  createSessionRoutes,
} from "../auth/users/session-routes.js";
import { createUserRoutes } from "../auth/users/user-routes.js";
import type { Settings } from "../config/settings.js";
import { GatewayError } from "../errors/gateway-error.js";
import { toHttpError } from "../errors/to-http.js";
import type { HealthDependencies } from "../health/health-dependencies.js";
import type { SseEndpoint } from "../mcp/downstream/sse.js";
import type { StreamableHttpEndpoint } from "../mcp/downstream/streamable-http.js";
import type { WebSocketEndpoint } from "../mcp/downstream/websocket.js";
import type { Logger } from "../observability/logger.js";
import { createGatewayRoutes } from "../registry/gateways/gateway-routes.js";
import type { GatewayService } from "../registry/gateways/gateway-service.js";
import { createPromptRoutes } from "../registry/prompts/prompt-routes.js";
import type { PromptService } from "../registry/prompts/prompt-service.js";
import { createResourceRoutes } from "../registry/resources/resource-routes.js";
import type { ResourceService } from "../registry/resources/resource-service.js";
import { createServerRoutes } from "../registry/servers/server-routes.js";
import type { ServerService } from "../registry/servers/server-service.js";
import type { PageLimits } from "../registry/shared/list-query.js";
import { createToolRoutes } from "../registry/tools/tool-routes.js";
import type { ToolService } from "../registry/tools/tool-service.js";
import type { ReverseProxyEndpoint } from "../reverse-proxy/reverse-proxy-endpoint.js";
import { createReverseProxyRoutes } from "../reverse-proxy/reverse-proxy-routes.js";
import { corsPolicy, securityHeaders } from "../security/security-headers.js";
import { DOCS_PAGE } from "./docs-page.js";
import { createOpenApiDocument } from "./openapi-document.js";
import { originGuard } from "./origin-guard.js";
import { requestBodyLimit } from "./request-body-limit.js";
import { requireAuth } from "./require-auth.js";

/** The registry services the REST API serves. */
export interface RegistryServices {
  readonly tools: ToolService;
  readonly resources: ResourceService;
  readonly prompts: PromptService;
  readonly servers: ServerService;
  readonly gateways: GatewayService;
}

/** Collaborators the HTTP app is built from. */
export interface AppDependencies {
  readonly settings: Settings;
  readonly logger: Logger;
  readonly health: HealthDependencies;
  readonly registry: RegistryServices;
  readonly authenticate: Authenticator;
  /** Users, teams, roles and tokens (`/auth`, `/teams`, `/rbac`, `/tokens`). */
  readonly auth: AuthModule;
  /** The MCP endpoints (`/mcp`, `/servers/{id}/mcp`). */
  readonly mcp: StreamableHttpEndpoint;
  /** `POST /rpc`: plain JSON-RPC, one request and one response. */
  readonly rpc: (c: Context<GatewayEnv>) => Promise<Response>;
  /** The legacy HTTP+SSE endpoints (`/sse`, `/message` and their `/servers/{id}` forms). */
  readonly sse: SseEndpoint;
  /** The WebSocket endpoints (`/ws`, `/servers/{id}/ws`). */
  readonly webSocket: WebSocketEndpoint;
  /**
   * `GET /reverse-proxy/ws`, where reverse proxies connect, and `/reverse-proxy/sessions`; absent
   * (MCPGATEWAY_REVERSE_PROXY_ENABLED off): every `/reverse-proxy/` path is a 404, before auth.
   */
  readonly reverseProxy?: ReverseProxyEndpoint | undefined;
}

/** The REST API of the registry, mounted at `/v1` and (legacy) at the root. */
function createRegistryApi(registry: RegistryServices, limits: PageLimits): Hono<GatewayEnv> {
  const api = new Hono<GatewayEnv>();
  api.route("/tools", createToolRoutes(registry.tools, limits));
  api.route("/resources", createResourceRoutes(registry.resources, limits));
  api.route("/prompts", createPromptRoutes(registry.prompts, limits));
  api.route("/servers", createServerRoutes(registry.servers, limits));
  api.route("/gateways", createGatewayRoutes(registry.gateways, limits));
  return api;
}

// The docs page loads Swagger UI from its CDN and calls the API of this origin.
const DOCS_CSP = [
  "default-src 'none'",
  "script-src https://cdn.jsdelivr.net 'unsafe-inline'",
  "style-src https://cdn.jsdelivr.net 'unsafe-inline'",
  "img-src 'self' data: https://cdn.jsdelivr.net",
  "connect-src 'self'",
  "frame-ancestors 'none'",
].join("; ");

// What a token bound to one virtual server may reach: the MCP endpoints (the MCP view then
// admits only its server) and the caller's own profile.
const SERVER_TOKEN_PATHS =
  /^\/(?:rpc|mcp|sse|message|version|auth\/email\/me|servers\/[^/]+\/(?:mcp|sse|message|ws))\/?$/;

/** Refuses the REST API to API tokens bound to one virtual server (403). */
function serverScopedTokens(): MiddlewareHandler<GatewayEnv> {
  return async (c, next) => {
    const serverId = c.get("principal").token?.serverId;
    if (serverId !== undefined && !SERVER_TOKEN_PATHS.test(c.req.path)) {
      throw new GatewayError(
        "forbidden",
        `this token may only be used on the MCP endpoints of virtual server ${serverId}`,
      );
    }
    await next();
  };
}

/** The gateway's Hono app: middleware order, every route mount, one error mapping. */
export function createApp({
  settings,
  logger,
  health,
  registry,
  authenticate,
  auth,
  mcp,
  rpc,
  sse,
  webSocket,
  reverseProxy,
}: AppDependencies): Hono<GatewayEnv> {
  const app = new Hono<GatewayEnv>({ strict: false });
  app.use("*", securityHeaders(settings));
  const corsMiddleware = corsPolicy(settings);
  if (corsMiddleware) app.use("*", corsMiddleware);
  // Liveness and readiness stay open for probes; everything after this line needs a principal.
  app.get("/health", (c) => c.json({ status: "healthy" }));
  app.get("/ready", async (c) => {
    try {
      await health.checkReadiness();
      return c.json({ status: "ready" });
    } catch (error) {
      return c.json(
        { status: "not ready", error: error instanceof Error ? error.message : String(error) },
        503,
      );
    }
  });
  app.use("*", originGuard(settings.HOST, settings.ALLOWED_ORIGINS));
  // The docs page is a static shell (no data); it sends the token for everything it loads.
  app.get("/docs", (c) => {
    c.header("Content-Security-Policy", DOCS_CSP);
    return c.html(DOCS_PAGE);
  });
  // No OAuth authorization server yet: discovery probes (RFC 8414 / RFC 9728, as mcp-remote and
  // the Inspector send after a 401) get a quick 404 instead of a 401 loop. That includes OpenID
  // Connect's path-appended form, `/servers/{id}/mcp/.well-known/openid-configuration`, which the
  // SDKs' discovery tries last; no route of the gateway has a `.well-known` segment.
  app.use("*", async (c, next) => {
    if (c.req.path.includes("/.well-known/")) return c.json({ detail: "Not Found", code: "not_found" }, 404);
    await next();
  });
  // WebSocket clients often cannot send headers: these routes authenticate themselves (header,
  // `token` query parameter or subprotocol) before accepting the upgrade.
  app.get("/ws", (c, next) => webSocket.handle(c, next, undefined));
  app.get("/servers/:id/ws", (c, next) => webSocket.handle(c, next, c.req.param("id")));
  if (reverseProxy) app.get("/reverse-proxy/ws", (c, next) => reverseProxy.handle(c, next));
  else
    app.all("/reverse-proxy/*", (c) =>
      c.json({ detail: "Not Found (MCPGATEWAY_REVERSE_PROXY_ENABLED is off)", code: "not_found" }, 404),
    );
  // Auth routes that need no principal (login), mounted before the guard.
  app.route("/auth", createLoginRoutes(auth.sessions));
  app.use(
    "*",
    requireAuth(
      authenticate,
      settings.AUTH_HEADER_NAME,
      settings.TRUST_PROXY_AUTH ? settings.PROXY_USER_HEADER : undefined,
    ),
  );
  app.use("*", serverScopedTokens());
  app.use(
    "*",
    requestBodyLimit(settings.MAX_REQUEST_BODY_BYTES, () => {
      throw new GatewayError(
        "payload_too_large",
        `request body is larger than ${settings.MAX_REQUEST_BODY_BYTES} bytes (MAX_REQUEST_BODY_BYTES)`,
      );
    }),
  );
  // Auth routes for authenticated callers (users, teams, roles, tokens).
  // A session that must change its password may only do that, look itself up, or log out.
  app.use("*", async (c, next) => {
    assertPasswordChangeAllowed(c.get("principal"), c.req.path);
    await next();
  });
  app.route(
    "/auth",
    createSessionRoutes({
      users: auth.users,
      sessions: auth.sessions,
      authHeaderName: settings.AUTH_HEADER_NAME,
    }),
  );
  app.route(
    "/auth/email",
    createUserRoutes(auth.users, {
      pageSize: settings.PAGINATION_DEFAULT_PAGE_SIZE,
      maxPageSize: settings.PAGINATION_MAX_PAGE_SIZE,
    }),
  );
  app.route("/tokens", createTokenRoutes(auth.tokens));
  app.route("/rbac", createRbacRoutes(auth));
  app.route("/teams", createTeamRoutes(auth.teams, auth.invitations));
  // Built on first request: converting every schema takes a tenth of a second a start need not wait for.
  let openApi: ReturnType<typeof createOpenApiDocument> | undefined;
  app.get("/openapi.json", (c) => {
    openApi ??= createOpenApiDocument({ reverseProxy: reverseProxy !== undefined });
    return c.json(openApi);
  });
  app.get("/version", (c) => c.json(health.versionInfo()));
  if (reverseProxy) app.route("/reverse-proxy", createReverseProxyRoutes(reverseProxy.admin));

  app.all("/mcp", (c) => mcp.handle(c, undefined));
  app.post("/rpc", (c) => rpc(c));
  app.all("/servers/:id/mcp", (c) => mcp.handle(c, c.req.param("id")));
  app.get("/sse", (c) => sse.open(c, undefined));
  app.post("/message", (c) => sse.post(c, undefined));
  app.get("/servers/:id/sse", (c) => sse.open(c, c.req.param("id")));
  app.post("/servers/:id/message", (c) => sse.post(c, c.req.param("id")));

  const limits: PageLimits = {
    pageSize: settings.PAGINATION_DEFAULT_PAGE_SIZE,
    maxPageSize: settings.PAGINATION_MAX_PAGE_SIZE,
  };
  const api = createRegistryApi(registry, limits);
  app.route("/v1", api);
  if (settings.LEGACY_API_ENABLED) app.route("/", api);

  app.notFound((c) => c.json({ detail: "Not Found", code: "not_found" }, 404));
  app.onError((error, c) => {
    const { status, body } = toHttpError(error, settings.EXPOSE_ERROR_DETAILS);
    if (status >= 500) logger.error({ err: error, path: c.req.path }, "request failed");
    return c.json(body, status);
  });
  return app;
}
