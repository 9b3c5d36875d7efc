import { StdioSupervisor } from "@contextforge/mcp-transport";
import { stopAllProcesses } from "@contextforge/testing";
import { afterEach, describe, expect, it } from "vitest";
import {
  createUpstreamPool,
  UpstreamError,
  type UpstreamHttpEndpoint,
  type UpstreamPool,
  type UpstreamStdioEndpoint,
} from "../../src/mcp/upstream/upstream-pool.js";
import { eventually, everythingStdioArgs, pidsWith } from "../support/stdio-processes.js";
import { closeAllHttpTestServers, startHttpTestServer } from "./http-test-server.js";
import { initializeWith, startJsonRpcTestServer } from "./json-rpc-test-server.js";
import { startSampleServer } from "./sample-server-process.js";

// The health check's probe: an MCP ping on a shared pooled session, bounded by its own deadline.

const pools: UpstreamPool[] = [];
const supervisors: StdioSupervisor[] = [];

function newPool(stdioIdleMs = 60_000): UpstreamPool {
  const supervisor = new StdioSupervisor({ maxProcesses: 4, idleTimeoutMs: 0 });
  supervisors.push(supervisor);
  const pool = createUpstreamPool({
    defaultTimeoutMs: 10_000,
    clientInfo: { name: "ping-test", version: "1.0.0" },
    stdio: { supervisor, idleTimeoutMs: stdioIdleMs },
  });
  pools.push(pool);
  return pool;
}

function http(url: string, extra: Partial<UpstreamHttpEndpoint> = {}): UpstreamHttpEndpoint {
  return { gatewayId: "gw-http", url, transport: "STREAMABLEHTTP", revision: 1, ...extra };
}

afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
  await Promise.all(supervisors.splice(0).map((supervisor) => supervisor.close()));
  await stopAllProcesses();
  await closeAllHttpTestServers();
});

describe("UpstreamPool.ping", { timeout: 20_000 }, () => {
  it("answers over a shared session that later calls reuse, and fails once the upstream is gone", async () => {
    const server = await startSampleServer("@contextforge/server-everything");
    const pool = newPool();
    const target = http(server.url);
    expect(await pool.ping(target, { timeoutMs: 2_000 })).toBe("answered");
    expect(pool.size).toBe(1);
    await pool.callTool(target, "echo", { message: "hi" });
    expect(pool.size).toBe(1);

    await server.kill();
    const error = await pool.ping(target, { timeoutMs: 2_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).code).toBe("unreachable");
    expect((error as UpstreamError).message).toContain(`127.0.0.1:${server.port}`);

    // Back on the same port: the next ping reconnects.
    await server.start();
    expect(await pool.ping(target, { timeoutMs: 5_000 })).toBe("answered");
  });

  it("counts a JSON-RPC error as an answer: the upstream is alive", async () => {
    const upstream = await startJsonRpcTestServer({ initialize: initializeWith({ tools: {} }) });
    const pool = newPool();
    expect(await pool.ping(http(upstream.url, { versionNegotiation: "legacy" }), { timeoutMs: 2_000 })).toBe(
      "answered",
    );
    expect(upstream.methods).toContain("ping");
  });

  it("fails with a timeout within its own deadline when the upstream never answers", async () => {
    const silent = await startHttpTestServer(() => {
      // Never answers: the connection stays open until the test closes the server.
    });
    const pool = newPool();
    const started = Date.now();
    const error = await pool.ping(http(`${silent.origin}/mcp`), { timeoutMs: 500 }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).code).toBe("timeout");
    expect((error as UpstreamError).message).toContain("did not answer ping within 500 ms");
  });

  it("never sends a credential in its failure message", async () => {
    const pool = newPool();
    const error = await pool
      .ping(http("http://127.0.0.1:9/mcp", { headers: { authorization: "Bearer top-secret-value" } }), {
        timeoutMs: 2_000,
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as Error).message).not.toContain("top-secret-value");
  });

  it("pings a stdio upstream only while its process runs, unless asked to start one", async () => {
    const marker = `ping-stdio-${process.pid}`;
    const pool = newPool();
    const target: UpstreamStdioEndpoint = {
      gatewayId: "gw-stdio",
      url: "stdio://everything",
      transport: "STDIO",
      command: process.execPath,
      args: everythingStdioArgs(marker),
      revision: 1,
    };
    expect(await pool.ping(target, { timeoutMs: 5_000 })).toBe("not-running");
    expect(pidsWith(marker)).toEqual([]);

    expect(await pool.ping(target, { timeoutMs: 10_000, startStdio: true })).toBe("answered");
    expect(pidsWith(marker)).toHaveLength(1);
    // The process now runs: a plain ping uses it, and starts no other.
    expect(await pool.ping(target, { timeoutMs: 5_000 })).toBe("answered");
    expect(pidsWith(marker)).toHaveLength(1);
  });

  it("does not keep an idle stdio process alive", async () => {
    const marker = `ping-idle-${process.pid}`;
    const pool = newPool(600);
    const target: UpstreamStdioEndpoint = {
      gatewayId: "gw-stdio-idle",
      url: "stdio://everything",
      transport: "STDIO",
      command: process.execPath,
      args: everythingStdioArgs(marker),
      revision: 1,
    };
    await pool.callTool(target, "echo", { message: "start" });
    expect(pidsWith(marker)).toHaveLength(1);
    // Pings every 200 ms would keep a counted session from ever idling out (600 ms).
    const pinging = setInterval(() => void pool.ping(target, { timeoutMs: 1_000 }).catch(() => {}), 200);
    try {
      expect(await eventually(() => pidsWith(marker).length === 0, 5_000)).toBe(true);
    } finally {
      clearInterval(pinging);
    }
    expect(await pool.ping(target, { timeoutMs: 1_000 })).toBe("not-running");
  });
});
