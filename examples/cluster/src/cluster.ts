import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { type ManagedProcess, startProcess } from "@contextforge/testing";
import { gatewayBin, sampleServerBin } from "./bins.js";
import { ensureDatabase } from "./ensure-database.js";
import { type RoundRobinProxy, startRoundRobinProxy } from "./round-robin-proxy.js";

/** Options of {@link startCluster}. */
export interface ClusterOptions {
  /** PostgreSQL database every replica shares (created when missing). */
  readonly databaseUrl: string;
  /** Redis every replica shares. */
  readonly redisUrl: string;
  /** Prefix of every Redis key and channel of this cluster. Default `contextforge-cluster:`. */
  readonly cachePrefix?: string;
  /** Port of the round-robin proxy; 0 picks a free one. Default 4444. */
  readonly port?: number;
  /** How many gateway processes. Default 3. */
  readonly replicas?: number;
  /** Shared by every replica; default: `JWT_SECRET_KEY` from the environment, else random. */
  readonly jwtSecret?: string;
  /** Shared by every replica; default: `AUTH_ENCRYPTION_SECRET` from the environment, else random. */
  readonly encryptionSecret?: string;
  /** More settings for every replica (e.g. `LOG_LEVEL`), over the cluster's own. */
  readonly gatewayEnv?: Readonly<Record<string, string>>;
  /** Progress lines while starting. Default: none. */
  readonly log?: (line: string) => void;
}

/** One gateway process of the cluster. */
export interface ClusterReplica {
  readonly index: number;
  /** Its own base URL, bypassing the proxy. */
  readonly url: string;
  readonly pid: number;
  /** False once it exited (killed or crashed). */
  alive(): boolean;
}

/** A running cluster; {@link Cluster.close} stops every process it started. */
export interface Cluster {
  /** The round-robin proxy's base URL: what clients use. */
  readonly url: string;
  /** The proxy's MCP endpoint holding every tool: `<url>/mcp`. */
  readonly mcpUrl: string;
  /** A bearer token of the platform administrator, valid on every replica. */
  readonly token: string;
  /** The sample server's own URL. */
  readonly upstreamUrl: string;
  /** Name the sample server is registered under: its tools are `<name>-<tool>`. */
  readonly gatewayName: string;
  readonly replicas: readonly ClusterReplica[];
  readonly proxy: RoundRobinProxy;
  /** SIGKILLs replica `index` (no graceful close) and waits until it is gone. */
  kill(index: number): Promise<void>;
  /** Stops the proxy, the replicas and the sample server; no process is left. */
  close(): Promise<void>;
}

const GATEWAY_NAME = "everything";
const ADMIN = "admin@example.com";
// Both print `... listening on http://127.0.0.1:<port>[/mcp]` (the gateway inside a JSON log line).
const READY = /listening on (http:\/\/[^\s"]+)/;

function readyUrl(managed: ManagedProcess): string {
  const { stdout, stderr } = managed.output();
  const url = (stdout.match(READY) ?? stderr.match(READY))?.[1];
  if (url === undefined) throw new Error(`no ready line in the output of process ${managed.pid}`);
  return url;
}

async function api<T>(
  baseUrl: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return (text === "" ? undefined : JSON.parse(text)) as T;
}

/** Runs `mcpgateway token` with the cluster's settings and returns the token it prints. */
async function mintToken(env: Record<string, string>): Promise<string> {
  const run = await startProcess(
    process.execPath,
    [gatewayBin(), "token", "--username", ADMIN, "--exp", "1440"],
    {
      env,
    },
  );
  const code = await run.exited();
  if (code !== 0) throw new Error(`mcpgateway token exited with ${code}: ${run.output().stderr}`);
  return run.output().stdout.trim();
}

/** Waits until `replica` lists the sample server's echo tool (it reads registrations from the database). */
async function waitForTools(replica: string, token: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const tools = await api<{ name: string }[]>(replica, token, "GET", "/tools");
    if (tools.some((tool) => tool.name === `${GATEWAY_NAME}-echo`)) return;
    if (Date.now() > deadline) throw new Error(`${replica} does not list ${GATEWAY_NAME}-echo`);
    await sleep(200);
  }
}

/**
 * Starts the sample server (`mcp-sample-everything --transport http --legacy-only`, so its
 * sampling tool exists), `replicas` gateway processes (`mcpgateway`) on one PostgreSQL database
 * and one Redis prefix with the same secrets, and a round-robin proxy without affinity in front
 * of them; registers the sample server once through the proxy (`POST /gateways`) and mints an
 * administrator token with `mcpgateway token`.
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const log = options.log ?? (() => {});
  const processes: Promise<ManagedProcess>[] = [];
  let proxy: RoundRobinProxy | undefined;
  const track = (started: Promise<ManagedProcess>): Promise<ManagedProcess> => {
    processes.push(started);
    return started;
  };
  // Waits for every start, also after another step failed: none may come up after close().
  const close = async (): Promise<void> => {
    await proxy?.close();
    const started = await Promise.allSettled(processes);
    await Promise.all(started.map((s) => (s.status === "fulfilled" ? s.value.stop() : undefined)));
  };
  try {
    if (await ensureDatabase(options.databaseUrl))
      log(`created database ${new URL(options.databaseUrl).pathname.slice(1)}`);
    const env: Record<string, string> = {
      HOST: "127.0.0.1",
      PORT: "0",
      DATABASE_URL: options.databaseUrl,
      CACHE_TYPE: "redis",
      REDIS_URL: options.redisUrl,
      CACHE_PREFIX: options.cachePrefix ?? "contextforge-cluster:",
      JWT_SECRET_KEY: options.jwtSecret ?? process.env.JWT_SECRET_KEY ?? randomBytes(32).toString("hex"),
      AUTH_ENCRYPTION_SECRET:
        options.encryptionSecret ?? process.env.AUTH_ENCRYPTION_SECRET ?? randomBytes(32).toString("hex"),
      AUTH_REQUIRED: "true",
      LOG_LEVEL: "info",
      ...options.gatewayEnv,
    };
    const upstream = track(
      startProcess(
        process.execPath,
        [sampleServerBin(), "--transport", "http", "--port", "0", "--legacy-only"],
        {
          readyPattern: READY,
        },
      ),
    );
    const startGateway = (): Promise<ManagedProcess> =>
      track(
        startProcess(process.execPath, [gatewayBin()], { env, readyPattern: READY, readyTimeoutMs: 60_000 }),
      );
    // Every replica at once, as an orchestrator starts them: even on a fresh database they all come up.
    const [upstreamProcess, token, ...gatewayProcesses] = await Promise.all([
      upstream,
      mintToken(env),
      ...Array.from({ length: options.replicas ?? 3 }, startGateway),
    ]);
    const upstreamUrl = readyUrl(upstreamProcess);
    const replicas = gatewayProcesses.map(
      (managed, index): ClusterReplica => ({
        index,
        url: readyUrl(managed),
        pid: managed.pid,
        alive: () => managed.child.exitCode === null && managed.child.signalCode === null,
      }),
    );
    log(`sample server on ${upstreamUrl}; replicas on ${replicas.map((r) => r.url).join(", ")}`);
    proxy = await startRoundRobinProxy({
      targets: replicas.map((replica) => replica.url),
      port: options.port ?? 4444,
    });

    // One registration for the whole cluster; one left by an earlier run points at an old port.
    const known = await api<{ id: string; name: string }[]>(proxy.url, token, "GET", "/gateways");
    for (const stale of known.filter((gateway) => gateway.name === GATEWAY_NAME))
      await api(proxy.url, token, "DELETE", `/gateways/${stale.id}`);
    await api(proxy.url, token, "POST", "/gateways", {
      name: GATEWAY_NAME,
      url: upstreamUrl,
      transport: "STREAMABLEHTTP",
    });
    await Promise.all(replicas.map((replica) => waitForTools(replica.url, token, 15_000)));
    log(`registered ${upstreamUrl} as gateway "${GATEWAY_NAME}"; every replica lists its tools`);

    const running = proxy;
    return {
      url: running.url,
      mcpUrl: `${running.url}/mcp`,
      token,
      upstreamUrl,
      gatewayName: GATEWAY_NAME,
      replicas,
      proxy: running,
      async kill(index) {
        const managed = gatewayProcesses[index];
        if (managed === undefined) throw new RangeError(`no replica ${index}`);
        managed.child.kill("SIGKILL");
        await managed.exited();
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
