import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ManagedProcess, startProcess } from "@contextforge/testing";
import { binPath } from "./bin-path.js";

/** The MCP endpoints of a virtual server, one per downstream transport. */
export type EndpointKind = "mcp" | "sse" | "ws";

/** A gateway process fronting the sample server, with one virtual server and a token for it. */
export interface GatewayUnderTest {
  /** `http://127.0.0.1:<port>`. */
  readonly baseUrl: string;
  /** The virtual server holding every tool of the sample server. */
  readonly serverId: string;
  /** A bearer token of the platform administrator. */
  readonly token: string;
  /** A well-formed token signed with another key: the negative control. */
  readonly foreignToken: string;
  /** The exposed name of the sample server's `echo` tool. */
  readonly echoTool: string;
  /** How many tools the virtual server holds (all of the sample server's): what a client must list. */
  readonly toolCount: number;
  /** A scratch directory, removed on close: clients' config and credential stores go here. */
  readonly scratchDir: string;
  /** `/servers/{id}/mcp`, `/servers/{id}/sse` or `/servers/{id}/ws` (as `ws://`). */
  endpoint(kind: EndpointKind): string;
  /** Stops the gateway and the sample server and removes the scratch directory. */
  close(): Promise<void>;
}

const GATEWAY_NAME = "everything";
// Both print `... listening on http://127.0.0.1:<port>[/mcp]` (the gateway inside a JSON log line).
const READY = /listening on (http:\/\/[^\s"]+)/;

function readyUrl(managed: ManagedProcess): string {
  const { stdout, stderr } = managed.output();
  const url = (stdout.match(READY) ?? stderr.match(READY))?.[1];
  if (url === undefined) throw new Error(`no ready line in the output of process ${managed.pid}`);
  return url;
}

/** Runs `mcpgateway token` with the gateway's settings and returns the token it prints. */
async function mintToken(cli: string, env: Record<string, string>, cwd: string): Promise<string> {
  const run = await startProcess(
    process.execPath,
    [cli, "token", "--username", "admin@example.com", "--exp", "60"],
    { cwd, env },
  );
  const code = await run.exited();
  if (code !== 0) throw new Error(`mcpgateway token exited with ${code}: ${run.output().stderr}`);
  return run.output().stdout.trim();
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
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/**
 * Starts the sample server (`mcp-sample-everything`) and the gateway (`mcpgateway`) as real
 * processes, as their READMEs tell a new user to: SQLite in a scratch directory, a token from
 * `mcpgateway token`, the upstream registered with `POST /gateways` and a virtual server with
 * `POST /servers`. Share one per test file; `close()` ends both processes.
 */
export async function startGatewayUnderTest(): Promise<GatewayUnderTest> {
  const scratchDir = mkdtempSync(join(tmpdir(), "cf-client-compat-"));
  const starting: Promise<ManagedProcess>[] = [];
  const track = (started: Promise<ManagedProcess>): Promise<ManagedProcess> => {
    starting.push(started);
    return started;
  };
  // Waits for every start, also after another step failed: none may come up after close().
  const close = async (): Promise<void> => {
    const started = await Promise.allSettled(starting);
    await Promise.all(started.map((s) => (s.status === "fulfilled" ? s.value.stop() : undefined)));
    rmSync(scratchDir, { recursive: true, force: true });
  };
  try {
    const cli = binPath("@contextforge/gateway-core", "mcpgateway");
    // Every secret given: a setting left unset is generated into ./.contextforge/secrets.json,
    // which the gateway and the token commands, started together, would race to write.
    const env = {
      ENVIRONMENT: "development",
      HOST: "127.0.0.1",
      PORT: "0",
      DATABASE_URL: `sqlite:///${join(scratchDir, "mcp.db")}`,
      JWT_SECRET_KEY: randomBytes(32).toString("hex"),
      AUTH_ENCRYPTION_SECRET: randomBytes(32).toString("hex"),
      // Fast start: the administrator's password hash is made at first start.
      ARGON2ID_MEMORY_COST: "8192",
      ARGON2ID_TIME_COST: "1",
      HEALTH_CHECK_INTERVAL: "0",
      CACHE_TYPE: "memory",
      LOG_LEVEL: "info",
    };
    // Port 0 everywhere: each process picks a free port and prints it in its ready line.
    const [upstream, gateway, token, foreignToken] = await Promise.all([
      track(
        startProcess(
          process.execPath,
          [
            binPath("@contextforge/server-everything", "mcp-sample-everything"),
            ...["--transport", "http", "--port", "0"],
          ],
          { cwd: scratchDir, readyPattern: READY },
        ),
      ),
      track(
        startProcess(process.execPath, [cli], {
          cwd: scratchDir,
          env,
          readyPattern: READY,
          readyTimeoutMs: 30_000,
        }),
      ),
      mintToken(cli, env, scratchDir),
      // Signed with another key, as if by another gateway.
      mintToken(cli, { ...env, JWT_SECRET_KEY: randomBytes(32).toString("hex") }, scratchDir),
    ]);
    const upstreamUrl = readyUrl(upstream);
    const baseUrl = readyUrl(gateway);

    const registered = await api<{ id: string }>(baseUrl, token, "POST", "/gateways", {
      name: GATEWAY_NAME,
      url: upstreamUrl,
      transport: "STREAMABLEHTTP",
    });
    const tools = (
      await api<{ id: string; gatewayId: string | null }[]>(baseUrl, token, "GET", "/tools")
    ).filter((tool) => tool.gatewayId === registered.id);
    const server = await api<{ id: string }>(baseUrl, token, "POST", "/servers", {
      server: { name: "client-compat", associated_tools: tools.map((tool) => tool.id) },
    });

    return {
      baseUrl,
      serverId: server.id,
      token,
      foreignToken,
      echoTool: `${GATEWAY_NAME}-echo`,
      toolCount: tools.length,
      scratchDir,
      endpoint: (kind) => {
        const url = `${baseUrl}/servers/${server.id}/${kind}`;
        return kind === "ws" ? url.replace(/^http/, "ws") : url;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
