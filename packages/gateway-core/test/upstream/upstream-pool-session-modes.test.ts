import { stopAllProcesses } from "@contextforge/testing";
import { afterEach, describe, expect, it } from "vitest";
import {
  createUpstreamPool,
  type DownstreamSessionKey,
  UpstreamError,
  type UpstreamHttpEndpoint,
  type UpstreamPool,
  type UpstreamStdioEndpoint,
} from "../../src/mcp/upstream/upstream-pool.js";
import { closeAllHttpTestServers, eventually } from "./http-test-server.js";
import { startLegacySseServer, startSessionfulHttpServer } from "./legacy-test-servers.js";
import { sampleServerBin, startSampleServer } from "./sample-server-process.js";

const EVERYTHING = "@contextforge/server-everything";
const pools: UpstreamPool[] = [];
const downstreams: AbortController[] = [];

function newPool(options: { idleTimeoutMs?: number; defaultTimeoutMs?: number } = {}): UpstreamPool {
  const pool = createUpstreamPool({
    defaultTimeoutMs: options.defaultTimeoutMs ?? 10_000,
    clientInfo: { name: "modes-test", version: "1" },
    ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs }),
  });
  pools.push(pool);
  return pool;
}

function endpoint(url: string, extra: Partial<UpstreamHttpEndpoint> = {}): UpstreamHttpEndpoint {
  return { gatewayId: "gw-1", url, transport: "STREAMABLEHTTP", revision: 1, ...extra };
}

/** A downstream session: `end()` is what the gateway does when it is deleted or closed. */
function downstream(id: string): DownstreamSessionKey & { end(): void } {
  const ended = new AbortController();
  downstreams.push(ended);
  return { id, ended: ended.signal, end: () => ended.abort() };
}

const textOf = (result: { content?: unknown }): string =>
  (result.content as { text?: string }[] | undefined)?.[0]?.text ?? "";

afterEach(async () => {
  for (const controller of downstreams.splice(0)) controller.abort();
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
  await stopAllProcesses();
  await closeAllHttpTestServers();
});

describe("upstream pool session modes, 2025 sessionful upstream", () => {
  it("auto: one session per downstream session, reused, ended (DELETE) with it", async () => {
    const upstream = await startSessionfulHttpServer();
    const pool = newPool();
    const target = endpoint(upstream.url);
    const a = downstream("a");
    const b = downstream("b");

    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        pool.callTool(target, "echo", { text: String(i) }, { downstreamSession: i % 2 ? a : b }),
      ),
    );
    expect(upstream.sessionsOpened()).toBe(2);
    expect(pool.size).toBe(2);
    // Calls without a downstream session share a third one.
    await pool.callTool(target, "echo", { text: "shared" });
    expect(upstream.sessionsOpened()).toBe(3);

    a.end();
    await eventually(() => upstream.sessionsEnded() === 1 && pool.size === 2);
    await pool.callTool(target, "echo", { text: "b again" }, { downstreamSession: b });
    expect(upstream.sessionsOpened()).toBe(3);
  });

  it("pooled: downstream sessions share the session, which outlives them", async () => {
    const upstream = await startSessionfulHttpServer();
    const pool = newPool();
    const target = endpoint(upstream.url, { sessionMode: "pooled" });
    const a = downstream("a");
    const b = downstream("b");

    await pool.callTool(target, "echo", { text: "a" }, { downstreamSession: a });
    await pool.callTool(target, "echo", { text: "b" }, { downstreamSession: b });
    a.end();
    await pool.callTool(target, "echo", { text: "b" }, { downstreamSession: b });
    expect(upstream.sessionsOpened()).toBe(1);
    expect(upstream.sessionsEnded()).toBe(0);
  });

  it("a downstream session's own session does not idle out while it lives", async () => {
    const upstream = await startSessionfulHttpServer();
    const pool = newPool({ idleTimeoutMs: 100 });
    const a = downstream("a");
    await pool.callTool(endpoint(upstream.url), "echo", { text: "x" }, { downstreamSession: a });
    await pool.callTool(endpoint(upstream.url), "echo", { text: "shared" });
    // The shared session idles out; the downstream session's stays.
    await eventually(() => upstream.sessionsEnded() === 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(pool.size).toBe(1);
    await pool.callTool(endpoint(upstream.url), "echo", { text: "y" }, { downstreamSession: a });
    expect(upstream.sessionsOpened()).toBe(2);
    a.end();
    await eventually(() => pool.size === 0 && upstream.sessionsEnded() === 2);
  });

  it("a call of a downstream session that already ended uses the shared session", async () => {
    const upstream = await startSessionfulHttpServer();
    const pool = newPool();
    const gone = downstream("gone");
    gone.end();
    await pool.callTool(endpoint(upstream.url), "echo", { text: "late" }, { downstreamSession: gone });
    await pool.callTool(endpoint(upstream.url), "echo", { text: "shared" });
    expect(upstream.sessionsOpened()).toBe(1);
    expect(pool.size).toBe(1);
  });

  it("invalidate ends the downstream sessions' upstream sessions too", async () => {
    const upstream = await startSessionfulHttpServer();
    const pool = newPool();
    await pool.callTool(
      endpoint(upstream.url),
      "echo",
      { text: "x" },
      { downstreamSession: downstream("a") },
    );
    await pool.invalidate("gw-1");
    expect(pool.size).toBe(0);
    expect(upstream.sessionsEnded()).toBe(1);
  });

  it("heals a downstream session's session after the upstream restarted (retry on a fresh one)", async () => {
    const server = await startSampleServer(EVERYTHING);
    const pool = newPool();
    const target = endpoint(server.url, { versionNegotiation: "legacy" });
    const a = downstream("a");
    expect(textOf(await pool.callTool(target, "echo", { message: "before" }, { downstreamSession: a }))).toBe(
      "before",
    );
    await server.kill();
    await server.start();
    // The old Mcp-Session-Id gets 404: the request never reached the upstream, so it is resent.
    expect(textOf(await pool.callTool(target, "echo", { message: "after" }, { downstreamSession: a }))).toBe(
      "after",
    );
    expect(pool.size).toBe(1);
  });
});

describe("upstream pool session mode auto, by kind of upstream", () => {
  it("shares the session of a 2026-07-28 (stateless) upstream", async () => {
    const server = await startSampleServer(EVERYTHING);
    const pool = newPool();
    const target = endpoint(server.url);
    const [a, b] = [downstream("a"), downstream("b")];

    // The first session, opened for `a` before the upstream was known, joins the shared ones.
    await pool.callTool(target, "echo", { message: "a" }, { downstreamSession: a });
    await Promise.all([
      pool.callTool(target, "echo", { message: "b" }, { downstreamSession: b }),
      pool.callTool(target, "echo", { message: "a2" }, { downstreamSession: a }),
      pool.callTool(target, "echo", { message: "none" }),
    ]);
    expect(pool.size).toBe(1);
    a.end();
    await pool.callTool(target, "echo", { message: "b2" }, { downstreamSession: b });
    expect(pool.size).toBe(1);
  });

  it("gives each downstream session its own connection to a legacy SSE upstream", async () => {
    const upstream = await startLegacySseServer();
    const pool = newPool();
    const target = endpoint(upstream.url, { transport: "SSE" });
    const [a, b] = [downstream("a"), downstream("b")];
    await pool.callTool(target, "echo", { text: "a" }, { downstreamSession: a });
    await pool.callTool(target, "echo", { text: "b" }, { downstreamSession: b });
    expect(upstream.sessionsOpened()).toBe(2);
    a.end();
    await eventually(() => upstream.sessionsEnded() === 1);
  });

  it("shares a stdio process unless the gateway asks for per_client", async () => {
    const pool = newPool();
    const stdio = (sessionMode: "auto" | "per_client", gatewayId: string): UpstreamStdioEndpoint => ({
      gatewayId,
      url: "stdio://everything",
      transport: "STDIO",
      command: process.execPath,
      args: [sampleServerBin(EVERYTHING), "--transport", "stdio"],
      revision: 1,
      sessionMode,
    });
    const [a, b] = [downstream("a"), downstream("b")];
    for (const key of [a, b])
      await pool.callTool(stdio("auto", "shared"), "echo", { message: "x" }, { downstreamSession: key });
    expect(pool.size).toBe(1);
    for (const key of [a, b])
      await pool.callTool(stdio("per_client", "own"), "echo", { message: "x" }, { downstreamSession: key });
    expect(pool.size).toBe(3);
    a.end();
    await eventually(() => pool.size === 2);
  });
});

describe("upstream pool deadlines", () => {
  it("applies the endpoint's timeout when the call sets none, and the call's own first", async () => {
    const server = await startSampleServer(EVERYTHING);
    const pool = newPool();
    const target = endpoint(server.url, { timeoutMs: 300 });

    const error = await pool.callTool(target, "slow", { steps: 8, stepMs: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).code).toBe("timeout");
    expect((error as UpstreamError).message).toContain("tools/call within 300 ms");
    const done = await pool.callTool(target, "slow", { steps: 8, stepMs: 100 }, { timeoutMs: 5_000 });
    expect(textOf(done)).toBe("completed 8 steps");
  });

  it.each([
    ["2025 session (the request stays open)", "legacy"],
    ["2026-07-28 (input_required rounds)", "auto"],
  ] as const)("stops the deadline while the client answers, %s", async (_label, versionNegotiation) => {
    const server = await startSampleServer(EVERYTHING);
    const pool = newPool();
    const target = endpoint(server.url, { versionNegotiation, timeoutMs: 400 });
    const slowClient = {
      clientCapabilities: { sampling: {} },
      async onServerRequest() {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        return { model: "m", role: "assistant", content: { type: "text", text: "late but fine" } };
      },
    };
    const tool = versionNegotiation === "legacy" ? "test_sampling" : "test_input_required_result_sampling";
    const result = await pool.callTool(target, tool, { prompt: "p" }, slowClient);
    expect(textOf(result)).toContain("late but fine");
  });
});
