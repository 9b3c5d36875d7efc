import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";
import { childEnv, freePort, WORKSPACE_CLIS, waitForHttp } from "./environment.js";
import { SupervisedProcess } from "./supervised-process.js";

const run = promisify(execFile);
const ADMIN = "admin@example.com";

/** Where `--cpu-prof` writes gateway profiles; unset: no profiling. */
let profileDir: string | undefined;

/** Runs every gateway started from now on under `node --cpu-prof`, writing to `dir`. */
export function profileGateways(dir: string | undefined): void {
  profileDir = dir;
}

/** A running `mcpgateway` on SQLite in a scratch directory. */
export interface GatewayProcess {
  readonly process: SupervisedProcess;
  readonly baseUrl: string;
  /** `authorization` when auth is on, else nothing. */
  readonly headers: Readonly<Record<string, string>>;
  /** From spawn to the first `GET /ready` = 200. */
  readonly readyMs: number;
}

/**
 * Starts the gateway (`packages/gateway-core/dist/cli.js`) with a fresh SQLite database in
 * `home`. With `auth`, AUTH_REQUIRED is on and a JWT for the platform administrator is minted
 * with `mcpgateway token`; without, the caller is the anonymous administrator.
 */
export async function startGatewayProcess(options: {
  readonly home: string;
  readonly auth: boolean;
  readonly env?: Readonly<Record<string, string>>;
  readonly readyPollMs?: number;
}): Promise<GatewayProcess> {
  const port = await freePort();
  const env = childEnv(options.home, {
    HOST: "127.0.0.1",
    PORT: String(port),
    DATABASE_URL: `sqlite:///${join(options.home, "mcp.db")}`,
    AUTH_REQUIRED: String(options.auth),
    JWT_SECRET_KEY: randomBytes(48).toString("base64"),
    AUTH_ENCRYPTION_SECRET: randomBytes(48).toString("base64"),
    PLATFORM_ADMIN_EMAIL: ADMIN,
    ...options.env,
  });
  const nodeArgs = profileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${profileDir}`];
  const started = performance.now();
  const gateway = await SupervisedProcess.start(
    "mcpgateway",
    process.execPath,
    [...nodeArgs, WORKSPACE_CLIS.gateway],
    { cwd: options.home, env },
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${baseUrl}/ready`, { intervalMs: options.readyPollMs ?? 10 });
    const readyMs = performance.now() - started;
    if (!options.auth) return { process: gateway, baseUrl, headers: {}, readyMs };
    const { stdout } = await run(
      process.execPath,
      [WORKSPACE_CLIS.gateway, "token", "--username", ADMIN, "--exp", "240"],
      { cwd: options.home, env },
    );
    return { process: gateway, baseUrl, headers: { authorization: `Bearer ${stdout.trim()}` }, readyMs };
  } catch (error) {
    await gateway.stop();
    throw new Error(`${(error as Error).message}\n${gateway.output()}`, { cause: error });
  }
}

/** One call to the gateway's REST API; throws on a non-2xx answer. */
export async function gatewayRest<T>(
  gateway: GatewayProcess,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${gateway.baseUrl}${path}`, {
    method,
    headers: { "content-type": "application/json", ...gateway.headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** Registers an upstream MCP server (`POST /gateways`) and returns the ids of its tools. */
export async function registerUpstream(
  gateway: GatewayProcess,
  body: Record<string, unknown>,
): Promise<string[]> {
  const { id } = await gatewayRest<{ id: string }>(gateway, "POST", "/gateways", body);
  const listed = await gatewayRest<unknown>(gateway, "GET", `/tools?gateway_id=${id}&limit=0`);
  const tools = (Array.isArray(listed) ? listed : ((listed as { tools?: unknown[] }).tools ?? [])) as {
    id: string;
  }[];
  return tools.map((tool) => tool.id);
}

/** Creates a virtual server over `toolIds` (`POST /servers`); returns its id. */
export async function createVirtualServer(
  gateway: GatewayProcess,
  name: string,
  toolIds: readonly string[],
): Promise<string> {
  const { id } = await gatewayRest<{ id: string }>(gateway, "POST", "/servers", {
    server: { name, associated_tools: toolIds },
  });
  return id;
}
