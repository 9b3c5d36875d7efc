import { hkdfSync, randomBytes, randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { StdioSupervisor } from "@contextforge/mcp-transport";
import { type ServerType, serve } from "@hono/node-server";
import type { Hono } from "hono";
import { type AuthModule, createAuthModule } from "./auth/auth-module.js";
import { createAuthenticator } from "./auth/authenticate.js";
import { createJwtService, type JwtService } from "./auth/jwt-service.js";
import type { GatewayEnv } from "./auth/principal.js";
import type { Settings } from "./config/settings.js";
import { type Database, openDatabase } from "./db/database.js";
import { migrateToLatest } from "./db/migrations/migrate.js";
import { createVersionInfo } from "./health/version-info.js";
import { createApp, type RegistryServices } from "./http/app.js";
import { authRequestContext } from "./http/require-auth.js";
import { InputBridge } from "./mcp/downstream/input-bridge.js";
import { createRpcHandler } from "./mcp/downstream/rpc.js";
import { createSseEndpoint } from "./mcp/downstream/sse.js";
import { createStreamableHttpEndpoint } from "./mcp/downstream/streamable-http.js";
import { createWebSocketEndpoint } from "./mcp/downstream/websocket.js";
import { createListPager } from "./mcp/list-pages.js";
import { createMcpRouter } from "./mcp/router.js";
import { createSubscriptionHub } from "./mcp/subscription-hub.js";
import { discoverUpstream } from "./mcp/upstream/upstream-discovery.js";
import { createUpstreamPool } from "./mcp/upstream/upstream-pool.js";
import { createLogger, type Logger } from "./observability/logger.js";
import { createGatewayService } from "./registry/gateways/gateway-service.js";
import { createPromptService } from "./registry/prompts/prompt-service.js";
import { createRegistrySnapshotSource } from "./registry/registry-snapshot.js";
import { createResourceService } from "./registry/resources/resource-service.js";
import { createServerService } from "./registry/servers/server-service.js";
import { createToolService } from "./registry/tools/tool-service.js";
import { createSecretBox, type SecretBox } from "./security/secret-box.js";
import { GATEWAY_VERSION } from "./version.js";

/** Options of {@link createGateway}. */
export interface GatewayOptions {
  readonly settings: Settings;
  /** Defaults to a pino logger configured from the settings. */
  readonly logger?: Logger;
}

/** A running (or ready to run) gateway. */
export interface Gateway {
  readonly settings: Settings;
  readonly logger: Logger;
  /** The Hono app; mount it in another server or call `app.request()` in tests. */
  readonly app: Hono<GatewayEnv>;
  /** The database the gateway stores its state in. */
  readonly database: Database;
  /** The registry's services, callable without HTTP (what the REST API calls). */
  readonly registry: RegistryServices;
  /** Users, teams, roles and tokens, callable without HTTP (what `/auth`, `/teams`, `/rbac`, `/tokens` call). */
  readonly auth: AuthModule;
  /**
   * Applies pending migrations (unless `MCPGATEWAY_SKIP_MIGRATIONS`), then listens on
   * `HOST:PORT`; resolves with the URL once the socket is bound.
   */
  start(): Promise<{ url: string }>;
  /** Applies pending migrations and loads the token keys; `start()` calls it. */
  prepare(): Promise<void>;
  /** Mints a bearer token for `subject` (as `mcpgateway token` does). */
  mintToken(subject: string, expiresInMinutes?: number): Promise<string>;
  /** Open downstream MCP sessions per transport (for metrics and tests). */
  sessionCounts(): {
    /** 2025-era sessions on `/mcp` (2026 requests are stateless and hold none). */
    readonly streamableHttp: number;
    readonly sse: number;
    readonly webSocket: number;
  };
  /** Resource URIs the gateway holds subscribed on an upstream (for metrics and tests). */
  upstreamSubscriptions(gatewayId: string): string[];
  /** Stops accepting connections and releases every resource; idempotent. */
  stop(): Promise<void>;
}

/** The composition root: settings in, a gateway with every component wired out. */
export function createGateway({ settings, logger = createLogger(settings) }: GatewayOptions): Gateway {
  const startedAt = new Date();
  const database = openDatabase(settings);
  const secrets = secretBoxFor(settings, logger);
  const tools = createToolService({
    db: database.db,
    secrets,
    separator: settings.GATEWAY_TOOL_NAME_SEPARATOR,
    maskedValue: settings.MASKED_AUTH_VALUE,
  });
  const resources = createResourceService({ db: database.db });
  const prompts = createPromptService({ db: database.db, separator: settings.GATEWAY_TOOL_NAME_SEPARATOR });
  const servers = createServerService({ db: database.db, tools, resources, prompts });
  // One supervisor runs every stdio upstream (discovery and pooled sessions), under the caps.
  // A process serves the one session that initialized it, so it stops as soon as it is released
  // (idle timeout 0); STDIO_IDLE_TIMEOUT is the pooled session's idle time.
  const supervisor = new StdioSupervisor({
    maxProcesses: settings.STDIO_MAX_PROCESSES,
    idleTimeoutMs: 0,
    onStderr: (text, { serverId }) =>
      logger.debug({ gatewayId: serverId, stderr: text }, "stdio upstream stderr"),
  });
  const stdio = {
    supervisor,
    maxProcessesPerServer: settings.STDIO_MAX_PROCESSES_PER_SERVER,
    idleTimeoutMs: settings.STDIO_IDLE_TIMEOUT * 1000,
  };
  const gateways = createGatewayService({
    db: database.db,
    secrets,
    separator: settings.GATEWAY_TOOL_NAME_SEPARATOR,
    maskedValue: settings.MASKED_AUTH_VALUE,
    discover: (target) => discoverUpstream(target, stdio),
    discoveryTimeoutMs: settings.HEALTH_CHECK_TIMEOUT * 1000,
    clientVersion: GATEWAY_VERSION,
  });
  // Keys are loaded once; a bad key or missing secret fails prepare()/start(), not a request.
  const jwt: Promise<JwtService> = createJwtService(jwtSettingsFor(settings, logger));
  jwt.catch(() => {});
  const jwtService: JwtService = {
    mint: async (...args) => (await jwt).mint(...args),
    verify: async (token) => (await jwt).verify(token),
  };
  const auth = createAuthModule({ db: database.db, settings, jwt: jwtService, logger });
  const authenticate = createAuthenticator(settings, jwtService, auth.directory);
  const snapshots = createRegistrySnapshotSource(database.db, secrets);
  const pool = createUpstreamPool({
    defaultTimeoutMs: settings.TOOL_TIMEOUT * 1000,
    clientInfo: { name: "contextforge-gateway", version: GATEWAY_VERSION },
    stdio,
    onBackgroundError: (error, gatewayId) =>
      logger.warn({ err: error, gatewayId }, "upstream subscription or listen stream failed"),
  });
  // Upstream list_changed -> refresh the gateway -> registry change -> sessions whose lists changed
  // hear about it; the same path serves changes made through the REST API.
  const hub = createSubscriptionHub({
    snapshots,
    upstream: pool,
    refreshGateway: (gatewayId) => registry.gateways.refresh(gatewayId, { resources: true, prompts: true }),
    logger,
  });
  const changed = (): void => {
    snapshots.invalidate();
    hub.registryChanged();
  };
  const registry: RegistryServices = {
    tools: invalidating(tools, changed),
    resources: invalidating(resources, changed),
    prompts: invalidating(prompts, changed),
    servers: invalidating(servers, changed),
    gateways: invalidating(gateways, (method, args) => {
      changed();
      // Sessions with a changed or deleted upstream are closed now rather than left to idle out.
      if (method !== "create" && method !== "refresh" && typeof args[0] === "string")
        void pool.invalidate(args[0]);
    }),
  };
  const pager = createListPager({ key: listCursorKeyFor(settings), pageSize: settings.MCP_PAGE_SIZE });
  const router = createMcpRouter(snapshots, pool, pager);
  // Single replica for now: the id only lets a state reach the replica that parked its call.
  const inputBridge = new InputBridge({
    key: requestStateKeyFor(settings),
    replicaId: randomUUID(),
    parkTimeoutMs: settings.MCP_INPUT_REQUIRED_TIMEOUT * 1000,
  });
  const mcp = createStreamableHttpEndpoint({
    inputBridge,
    router,
    hub,
    version: GATEWAY_VERSION,
    maxRequestBodyBytes: settings.MAX_REQUEST_BODY_BYTES,
    maxSessions: 10_000,
    sessionIdleTimeoutMs: 60 * 60 * 1000,
  });
  const sse = createSseEndpoint({
    router,
    hub,
    version: GATEWAY_VERSION,
    keepaliveIntervalMs: settings.SSE_KEEPALIVE_INTERVAL * 1000,
    rootPath: settings.APP_ROOT_PATH,
  });
  const webSocket = createWebSocketEndpoint({
    router,
    hub,
    version: GATEWAY_VERSION,
    authenticate,
    authContext: (c) =>
      authRequestContext(c, settings.TRUST_PROXY_AUTH ? settings.PROXY_USER_HEADER : undefined),
    authHeaderName: settings.AUTH_HEADER_NAME,
    maxFrameBytes: settings.MAX_REQUEST_BODY_BYTES,
    pingIntervalMs: settings.WEBSOCKET_PING_INTERVAL * 1000,
    logger,
  });
  const app = createApp({
    rpc: createRpcHandler(router),
    mcp,
    sse,
    webSocket,
    authenticate,
    auth,
    settings,
    logger,
    health: {
      versionInfo: createVersionInfo(startedAt, database.dialect),
      checkReadiness: () => database.ping(),
    },
    registry,
  });
  let server: ServerType | undefined;
  let prepared: Promise<void> | undefined;

  const prepare = (): Promise<void> => {
    prepared ??= (async () => {
      await jwt;
      if (settings.MCPGATEWAY_SKIP_MIGRATIONS) {
        logger.info("database migrations skipped (MCPGATEWAY_SKIP_MIGRATIONS)");
        return;
      }
      const report = await migrateToLatest(database.db, database.dialect);
      if (report.applied.length > 0) logger.info({ applied: report.applied }, "database migrated");
      await auth.bootstrap();
    })();
    return prepared;
  };

  const listen = (): Promise<{ url: string }> =>
    new Promise((resolve, reject) => {
      const options = {
        fetch: app.fetch,
        hostname: settings.HOST,
        port: settings.PORT,
        websocket: { server: webSocket.server },
      };
      const instance = serve(options, (info) => {
        instance.off("error", reject);
        const { address, port } = info as AddressInfo;
        const host = address.includes(":") ? `[${address}]` : address;
        resolve({ url: `http://${host}:${port}` });
      });
      instance.once("error", (error) => {
        server = undefined;
        reject(error);
      });
      server = instance;
    });

  return {
    settings,
    logger,
    app,
    database,
    registry,
    auth,
    prepare,
    async mintToken(subject, expiresInMinutes) {
      return (await jwt).mint(subject, expiresInMinutes === undefined ? {} : { expiresInMinutes });
    },
    async start() {
      if (server) throw new Error("gateway already started");
      await prepare();
      return listen();
    },
    sessionCounts() {
      return { streamableHttp: mcp.sessions.size, sse: sse.size, webSocket: webSocket.size };
    },
    upstreamSubscriptions(gatewayId) {
      return pool.subscribedUris(gatewayId);
    },
    async stop() {
      const current = server;
      server = undefined;
      // Long-lived streams and upgraded sockets would keep the HTTP server from closing.
      await Promise.allSettled([sse.close(), webSocket.close()]);
      if (current) {
        await new Promise<void>((resolve, reject) => {
          current.close((error) => (error ? reject(error) : resolve()));
          if ("closeAllConnections" in current) current.closeAllConnections();
        });
      }
      inputBridge.close();
      await mcp.close();
      await hub.close();
      await pool.close();
      await supervisor.close();
      await database.close();
    },
  };
}

/**
 * The box that encrypts stored credentials. Outside production a missing
 * AUTH_ENCRYPTION_SECRET gets a random per-process key (the CLI generates a persistent one;
 * settings validation refuses a missing one in production).
 */
function secretBoxFor(settings: Settings, logger: Logger): SecretBox {
  if (settings.AUTH_ENCRYPTION_SECRET) return createSecretBox(settings.AUTH_ENCRYPTION_SECRET);
  logger.warn(
    "AUTH_ENCRYPTION_SECRET is not set: stored credentials use a random key of this process and cannot be read after a restart",
  );
  return createSecretBox(randomBytes(32).toString("base64url"));
}

/**
 * The HMAC key of MCP list cursors, derived from AUTH_ENCRYPTION_SECRET (its own HKDF label, so
 * it is independent of the secret box's key): every replica accepts the cursors of the others,
 * also after a restart. Without the secret (development only) a random per-process key: a cursor
 * then fails with -32602 after a restart, and the client lists again.
 */
function listCursorKeyFor(settings: Settings): Uint8Array {
  if (!settings.AUTH_ENCRYPTION_SECRET) return randomBytes(32);
  return new Uint8Array(
    hkdfSync("sha256", settings.AUTH_ENCRYPTION_SECRET, "contextforge", "mcp-list-cursor-v1", 32),
  );
}

/**
 * The HMAC key sealing MRTR `requestState` (2026 clients resuming a parked upstream call), derived
 * from AUTH_ENCRYPTION_SECRET under its own HKDF label; a random per-process key without it.
 */
function requestStateKeyFor(settings: Settings): Uint8Array {
  if (!settings.AUTH_ENCRYPTION_SECRET) return randomBytes(32);
  return new Uint8Array(
    hkdfSync("sha256", settings.AUTH_ENCRYPTION_SECRET, "contextforge", "mcp-request-state-v1", 32),
  );
}

/**
 * Outside production, an HS* algorithm without JWT_SECRET_KEY gets a random per-process key
 * (the CLI generates a persistent one; settings validation refuses a missing one in production).
 */
function jwtSettingsFor(settings: Settings, logger: Logger): Settings {
  if (settings.JWT_SECRET_KEY || !settings.JWT_ALGORITHM.startsWith("HS")) return settings;
  logger.warn("JWT_SECRET_KEY is not set: tokens are signed with a random key of this process");
  return { ...settings, JWT_SECRET_KEY: randomBytes(32).toString("base64url") };
}

const MUTATIONS = new Set(["create", "update", "setEnabled", "delete", "restore", "refresh"]);

/**
 * `service` with `onChange` called after every mutation resolved (after its transaction
 * committed), so the MCP path's in-memory snapshot is rebuilt from committed state.
 */
function invalidating<S extends object>(service: S, onChange: (method: string, args: unknown[]) => void): S {
  return new Proxy(service, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== "function" || !MUTATIONS.has(String(property))) return value;
      return async (...args: unknown[]) => {
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } finally {
          onChange(String(property), args);
        }
      };
    },
  });
}
