import { hkdfSync, randomBytes, randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { hostname } from "node:os";
import { StdioSupervisor } from "@contextforge/mcp-transport";
import { type ServerType, serve } from "@hono/node-server";
import type { Hono } from "hono";
import { type AuthModule, createAuthModule } from "./auth/auth-module.js";
import { createAuthenticator } from "./auth/authenticate.js";
import { createJwtService, type JwtService } from "./auth/jwt-service.js";
import type { GatewayEnv } from "./auth/principal.js";
import { BUS_TOPICS, type Bus, waitForBus } from "./cache/bus.js";
import type { Cache } from "./cache/cache.js";
import { openCache } from "./cache/open-cache.js";
import type { Settings } from "./config/settings.js";
import { type Database, openDatabase } from "./db/database.js";
import { migrateToLatest } from "./db/migrations/migrate.js";
import { createFederationIdentity } from "./federation/federation-identity.js";
import { createFederationPolicy } from "./federation/federation-policy.js";
import { createHealthChecker, type HealthRound } from "./federation/health-check.js";
import { createHealthLoop } from "./federation/health-loop.js";
import { leaderElectionFor } from "./federation/leader-election-for.js";
import type { MdnsFederation } from "./federation/mdns.js";
import { mdnsFederationFor } from "./federation/mdns-federation-for.js";
import { createPeerRegistrar } from "./federation/mdns-registrar.js";
import { federatedDiscovery } from "./federation/peer-discovery.js";
import { createVersionInfo } from "./health/version-info.js";
import { createApp, type RegistryServices } from "./http/app.js";
import { authRequestContext } from "./http/require-auth.js";
import { InputBridge } from "./mcp/downstream/input-bridge.js";
import { createRpcHandler } from "./mcp/downstream/rpc.js";
import { followSessionAnnouncements, sessionAnnouncements } from "./mcp/downstream/session-bus.js";
import { openSessionStreams } from "./mcp/downstream/session-streams.js";
import { createSessionTokens, type SessionTokens, sessionTokenKey } from "./mcp/downstream/session-token.js";
import { createSseEndpoint } from "./mcp/downstream/sse.js";
import { createStreamableHttpEndpoint } from "./mcp/downstream/streamable-http.js";
import { createWebSocketEndpoint } from "./mcp/downstream/websocket.js";
import { createListPager } from "./mcp/list-pages.js";
import { createMcpRouter } from "./mcp/router.js";
import { createSubscriptionHub } from "./mcp/subscription-hub.js";
import { ReverseTunnels } from "./mcp/upstream/reverse-tunnels.js";
import { TunnelRelay } from "./mcp/upstream/tunnel-relay.js";
import { discoverUpstream } from "./mcp/upstream/upstream-discovery.js";
import { createUpstreamPool } from "./mcp/upstream/upstream-pool.js";
import { createLogger, type Logger } from "./observability/logger.js";
import { createGatewayService } from "./registry/gateways/gateway-service.js";
import { createPromptService } from "./registry/prompts/prompt-service.js";
import { createRegistrySnapshotSource } from "./registry/registry-snapshot.js";
import { createResourceService } from "./registry/resources/resource-service.js";
import { createServerService } from "./registry/servers/server-service.js";
import { createToolService } from "./registry/tools/tool-service.js";
import { createReverseProxyEndpoint } from "./reverse-proxy/reverse-proxy-endpoint.js";
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
  /** The cache CACHE_TYPE chose (shared by the replicas with Redis or the database). */
  readonly cache: Cache;
  /**
   * Messages between replicas (topics in {@link BUS_TOPICS}); the gateway publishes its registry
   * and auth changes there and applies the others'.
   */
  readonly bus: Bus;
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
  /**
   * This gateway's federation id (FEDERATION_ID, else the one stored in the database, read by
   * `prepare()`): what peers see in its list results, via markers and mDNS advertisement.
   */
  readonly federationId: string;
  /**
   * Runs one round of health checks (and the refreshes that are due) now, on this instance,
   * leader or not; the periodic rounds run every HEALTH_CHECK_INTERVAL on the leader only.
   */
  runHealthChecks(): Promise<HealthRound>;
  /** Whether this instance is the elected leader that runs the periodic health checks. */
  isLeader(): boolean;
  /** Stops accepting connections and releases every resource; idempotent. */
  stop(): Promise<void>;
}

/** The composition root: settings in, a gateway with every component wired out. */
export function createGateway({ settings, logger = createLogger(settings) }: GatewayOptions): Gateway {
  const startedAt = new Date();
  const database = openDatabase(settings);
  // CACHE_TYPE picks the cache and the bus this replica hears the others' changes on.
  const { cache, bus } = openCache({ settings, db: database.db, dialect: database.dialect, logger });
  const announce = (topic: string, payload: Record<string, unknown> = {}): void => {
    bus.publish(topic, payload).catch((error: unknown) => {
      logger.warn({ err: error, topic }, "a change could not be announced to the other replicas");
    });
  };
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
  // Its identity among federated gateways: loaded by prepare(), before any request is served.
  const federationIdentity = createFederationIdentity(database.db, settings.FEDERATION_ID);
  // Connected reverse proxies: the upstreams of `REVERSE` gateways (see /reverse-proxy/ws).
  const reverseTunnels = new ReverseTunnels();
  const gateways = createGatewayService({
    db: database.db,
    secrets,
    separator: settings.GATEWAY_TOOL_NAME_SEPARATOR,
    maskedValue: settings.MASKED_AUTH_VALUE,
    discover: federatedDiscovery(
      (target) => discoverUpstream(target, stdio, reverseTunnels),
      federationIdentity,
    ),
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
  const auth = createAuthModule({
    db: database.db,
    settings,
    jwt: jwtService,
    logger,
    onChange: () => {
      announce(BUS_TOPICS.auth);
      authChanged();
    },
  });
  const authenticate = createAuthenticator(settings, jwtService, auth.directory);
  const snapshots = createRegistrySnapshotSource(database.db, secrets);
  const pool = createUpstreamPool({
    defaultTimeoutMs: settings.TOOL_TIMEOUT * 1000,
    clientInfo: { name: "contextforge-gateway", version: GATEWAY_VERSION },
    stdio,
    reverseTunnels,
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
  // A change made here is applied and announced; one announced by another replica is only
  // applied (below), so nothing echoes between replicas.
  const applyRegistryChange = (gatewayId?: string): void => {
    snapshots.invalidate();
    hub.registryChanged();
    if (gatewayId !== undefined) void pool.invalidate(gatewayId);
    // A deleted REVERSE gateway's tunnel is closed, on whichever replica holds it.
    void reverseProxy?.registryChanged(gatewayId);
  };
  const changed = (): void => {
    applyRegistryChange();
    announce(BUS_TOPICS.registry);
  };
  const registry: RegistryServices = {
    tools: invalidating(tools, changed),
    resources: invalidating(resources, changed),
    prompts: invalidating(prompts, changed),
    servers: invalidating(servers, changed),
    gateways: invalidating(gateways, (method, args) => {
      // Sessions with a changed or deleted upstream are closed now rather than left to idle out.
      const stale =
        method !== "create" && method !== "refresh" && typeof args[0] === "string" ? args[0] : undefined;
      applyRegistryChange(stale);
      announce(BUS_TOPICS.registry, stale === undefined ? {} : { gatewayId: stale });
    }),
  };
  bus.subscribe(BUS_TOPICS.registry, (payload) => applyRegistryChange(gatewayIdIn(payload)));
  bus.subscribe(BUS_TOPICS.auth, () => {
    auth.directory.invalidate();
    authChanged();
  });
  // Back on the bus after a gap: whatever changed meanwhile is unknown, so rebuild everything.
  bus.onResync(() => {
    auth.directory.invalidate();
    applyRegistryChange();
  });
  const pager = createListPager({ key: listCursorKeyFor(settings), pageSize: settings.MCP_PAGE_SIZE });
  const federation = createFederationPolicy({
    selfId: () => federationIdentity.id,
    maxHops: settings.FEDERATION_MAX_HOPS,
  });
  const router = createMcpRouter(snapshots, pool, pager, {
    unreachableItems: settings.UNREACHABLE_ITEMS,
    federation,
  });
  // Health checks and periodic refreshes: on one elected instance, every HEALTH_CHECK_INTERVAL
  // seconds (0: off). Health is state: a flip of `reachable` changes the lists, not a version.
  const health = createHealthChecker({
    db: database.db,
    snapshots,
    pool,
    refresh: (gatewayId) => registry.gateways.refresh(gatewayId, { resources: true, prompts: true }),
    onReachabilityChange: changed,
    timeoutMs: settings.HEALTH_CHECK_TIMEOUT * 1000,
    unhealthyThreshold: settings.UNHEALTHY_THRESHOLD,
    logger,
  });
  const election =
    settings.HEALTH_CHECK_INTERVAL > 0
      ? leaderElectionFor({
          settings,
          database,
          instanceId: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
          logger,
        })
      : undefined;
  const healthLoop =
    election === undefined
      ? undefined
      : createHealthLoop({
          checker: health,
          isLeader: () => election.leader.isLeader(),
          intervalMs: settings.HEALTH_CHECK_INTERVAL * 1000,
          logger,
        });
  // Single replica for now: the id only lets a state reach the replica that parked its call.
  const inputBridge = new InputBridge({
    key: requestStateKeyFor(settings),
    replicaId: randomUUID(),
    parkTimeoutMs: settings.MCP_INPUT_REQUIRED_TIMEOUT * 1000,
  });
  const streams = openSessionStreams(settings, cache, bus.instanceId, logger);
  const cluster = settings.CACHE_TYPE === "redis" || settings.CACHE_TYPE === "database";
  const mcp = createStreamableHttpEndpoint({
    inputBridge,
    ...(streams.events ? { events: streams.events } : {}),
    activity: streams.activity,
    router,
    hub,
    version: GATEWAY_VERSION,
    maxRequestBodyBytes: settings.MAX_REQUEST_BODY_BYTES,
    maxSessions: settings.MCP_MAX_SESSIONS,
    sessionIdleTimeoutMs: settings.MCP_SESSION_IDLE_TIMEOUT * 1000,
    sessionTokens: sessionTokensFor(settings),
    ...sessionAnnouncements(announce, cluster),
  });
  followSessionAnnouncements(bus, mcp.sessions);
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
  // Off (MCPGATEWAY_REVERSE_PROXY_ENABLED): no endpoint, and every /reverse-proxy/ path is a 404.
  const reverseProxy = settings.MCPGATEWAY_REVERSE_PROXY_ENABLED
    ? createReverseProxyEndpoint({
        db: database.db,
        gateways: registry.gateways,
        tunnels: reverseTunnels,
        authenticate,
        authContext: (c) =>
          authRequestContext(c, settings.TRUST_PROXY_AUTH ? settings.PROXY_USER_HEADER : undefined),
        authHeaderName: settings.AUTH_HEADER_NAME,
        pingIntervalMs: settings.WEBSOCKET_PING_INTERVAL * 1000,
        onReachabilityChange: changed,
        logger,
      })
    : undefined;
  // Several replicas: a session through a tunnel connected to another replica travels on the bus.
  const tunnelRelay =
    reverseProxy !== undefined && cluster
      ? new TunnelRelay({ bus, cache, tunnels: reverseTunnels, logger })
      : undefined;
  // Users, roles or tokens changed (here or on another replica): open WebSocket sessions, which
  // authenticated once at the upgrade, are checked again; revoked credentials are disconnected.
  function authChanged(): void {
    void webSocket.recheck();
  }
  const app = createApp({
    rpc: createRpcHandler(router),
    mcp,
    sse,
    webSocket,
    reverseProxy,
    authenticate,
    auth,
    settings,
    logger,
    health: {
      versionInfo: createVersionInfo(startedAt, database.dialect),
      checkReadiness: async () => {
        await database.ping();
        // A replica deaf to the others would serve revoked tokens and stale lists.
        if (bus.problem !== undefined) throw new Error(bus.problem);
      },
    },
    registry,
  });
  let server: ServerType | undefined;
  let mdns: MdnsFederation | undefined;
  let prepared: Promise<void> | undefined;

  /**
   * Starts receiving from the other replicas (after migrations: the database bus reads its
   * table). An unreachable Redis is retried in the background (`/ready` answers 503 meanwhile);
   * in production it fails the start instead, after BUS_START_TIMEOUT_MS.
   */
  const startBus = async (): Promise<void> => {
    await bus.start();
    if (settings.ENVIRONMENT !== "production" || (await waitForBus(bus, BUS_START_TIMEOUT_MS))) return;
    throw new Error(`the cache bus is unavailable (CACHE_TYPE=${settings.CACHE_TYPE}): ${bus.problem}`);
  };

  const prepare = (): Promise<void> => {
    prepared ??= (async () => {
      await jwt;
      if (settings.MCPGATEWAY_SKIP_MIGRATIONS) {
        logger.info("database migrations skipped (MCPGATEWAY_SKIP_MIGRATIONS)");
        await federationIdentity.load();
        await startBus();
        return;
      }
      const report = await migrateToLatest(database.db, database.dialect);
      if (report.applied.length > 0) logger.info({ applied: report.applied }, "database migrated");
      await auth.bootstrap();
      await federationIdentity.load();
      await startBus();
    })().then(() => {
      election?.leader.start();
      healthLoop?.start();
    });
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
    cache,
    bus,
    prepare,
    async mintToken(subject, expiresInMinutes) {
      return (await jwt).mint(subject, expiresInMinutes === undefined ? {} : { expiresInMinutes });
    },
    async start() {
      if (server) throw new Error("gateway already started");
      await prepare();
      const address = await listen();
      // mDNS needs the bound port (PORT may be 0); off unless MDNS_ENABLED or MDNS_DISCOVERY_ENABLED.
      mdns = mdnsFederationFor({
        settings,
        federationId: federationIdentity.id,
        port: Number(new URL(address.url).port),
        registrar: createPeerRegistrar(registry.gateways),
        // Several replicas see the same peers: the elected leader alone registers them.
        mayRegister: () => election?.leader.isLeader() ?? true,
        logger,
      });
      mdns?.start();
      return address;
    },
    get federationId() {
      return federationIdentity.id;
    },
    sessionCounts() {
      return { streamableHttp: mcp.sessions.size, sse: sse.size, webSocket: webSocket.size };
    },
    upstreamSubscriptions(gatewayId) {
      return pool.subscribedUris(gatewayId);
    },
    runHealthChecks() {
      return health.runRound();
    },
    isLeader() {
      return election?.leader.isLeader() ?? false;
    },
    async stop() {
      const current = server;
      server = undefined;
      // Goodbye packets for the advertisement; registrations of found peers finish first.
      await mdns?.close();
      mdns = undefined;
      // Periodic work first: no round may run against what is being closed below.
      await healthLoop?.stop();
      await election?.close();
      // Long-lived streams and upgraded sockets would keep the HTTP server from closing.
      tunnelRelay?.close();
      reverseProxy?.close();
      await Promise.allSettled([sse.close(), webSocket.close()]);
      if (current) {
        await new Promise<void>((resolve, reject) => {
          current.close((error) => (error ? reject(error) : resolve()));
          if ("closeAllConnections" in current) current.closeAllConnections();
        });
      }
      inputBridge.close();
      await mcp.close();
      await streams.close();
      await hub.close();
      await pool.close();
      await supervisor.close();
      await Promise.allSettled([bus.close(), cache.close()]);
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
 * The keys of 2025 MCP session ids, derived from AUTH_ENCRYPTION_SECRET (label "mcp-session-v1")
 * and, during a rotation, from MCP_SESSION_PREVIOUS_SECRETS (ids they sealed still resume).
 * Without the secret (development only) a random per-process key: a session then resumes only
 * within this process.
 */
function sessionTokensFor(settings: Settings): SessionTokens {
  const current = settings.AUTH_ENCRYPTION_SECRET
    ? sessionTokenKey(settings.AUTH_ENCRYPTION_SECRET)
    : new Uint8Array(randomBytes(32));
  return createSessionTokens([current, ...settings.MCP_SESSION_PREVIOUS_SECRETS.map(sessionTokenKey)]);
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

/** How long a production start waits for the bus to connect. */
const BUS_START_TIMEOUT_MS = 10_000;

/** The upstream a registry message names (its pooled sessions are stale), if any. */
function gatewayIdIn(payload: unknown): string | undefined {
  const id =
    typeof payload === "object" && payload !== null
      ? (payload as { gatewayId?: unknown }).gatewayId
      : undefined;
  return typeof id === "string" ? id : undefined;
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
