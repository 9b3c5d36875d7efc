import { stopAllProcesses } from "@contextforge/testing";
import { afterEach, describe, expect, it } from "vitest";
import {
  createUpstreamPool,
  UpstreamError,
  type UpstreamHttpEndpoint,
  type UpstreamPool,
  UpstreamRpcError,
} from "../../src/mcp/upstream/upstream-pool.js";
import { closeAllHttpTestServers, eventually, readJson, startHttpTestServer } from "./http-test-server.js";
import { initializeWith, startJsonRpcTestServer } from "./json-rpc-test-server.js";
import { startSessionfulHttpServer } from "./legacy-test-servers.js";
import { startSampleServer } from "./sample-server-process.js";

const EVERYTHING = "@contextforge/server-everything";
const pools: UpstreamPool[] = [];

function newPool(options: { idleTimeoutMs?: number; defaultTimeoutMs?: number } = {}): UpstreamPool {
  const pool = createUpstreamPool({
    defaultTimeoutMs: options.defaultTimeoutMs ?? 10_000,
    clientInfo: { name: "pool-test", version: "1.0.0" },
    ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs }),
  });
  pools.push(pool);
  return pool;
}

function endpoint(url: string, extra: Partial<UpstreamHttpEndpoint> = {}): UpstreamHttpEndpoint {
  return { gatewayId: "gw-1", url, transport: "STREAMABLEHTTP", revision: 1, ...extra };
}

async function rejection<T extends Error>(
  promise: Promise<unknown>,
  type: new (...args: never[]) => T,
): Promise<T> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as T;
}

const textOf = (result: { content?: unknown }): string =>
  ((result.content as { text?: string }[] | undefined)?.[0]?.text ?? "") as string;

afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
  await stopAllProcesses();
  await closeAllHttpTestServers();
});

describe.each([
  ["2026-07-28 (auto)", "auto"],
  ["2025-11-25 session (legacy)", "legacy"],
] as const)("upstream pool against everything, %s", (_label, versionNegotiation) => {
  it("reuses one session for 50 sequential and 50 concurrent calls", async () => {
    const server = await startSampleServer(EVERYTHING);
    const pool = newPool();
    const target = endpoint(server.url, { versionNegotiation });

    for (let i = 0; i < 50; i++) {
      expect(textOf(await pool.callTool(target, "echo", { message: `seq ${i}` }))).toBe(`seq ${i}`);
    }
    const texts = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        pool.callTool(target, "echo", { message: `par ${i}` }).then(textOf),
      ),
    );
    expect(texts).toEqual(Array.from({ length: 50 }, (_, i) => `par ${i}`));
    expect(pool.size).toBe(1);
  });

  it("returns results verbatim: structuredContent, isError, content blocks", async () => {
    const server = await startSampleServer(EVERYTHING);
    const pool = newPool();
    const target = endpoint(server.url, { versionNegotiation });

    const sum = await pool.callTool(target, "add", { a: 2, b: 3 });
    expect(sum).toMatchObject({ content: [{ type: "text", text: "5" }], structuredContent: { sum: 5 } });
    const failed = await pool.callTool(target, "test_error_handling", {});
    expect(failed.isError).toBe(true);
    const image = await pool.callTool(target, "test_image_content", {});
    expect(image.content).toEqual([expect.objectContaining({ type: "image", mimeType: "image/png" })]);
    const read = await pool.readResource(target, "test://template/7/data");
    expect(JSON.parse((read.contents[0] as { text: string }).text)).toMatchObject({ id: "7" });
    const prompt = await pool.getPrompt(target, "test_prompt_with_arguments", { arg1: "a", arg2: "b" });
    expect(prompt.messages[0]?.content).toMatchObject({ text: "Prompt with arguments: arg1='a', arg2='b'" });
    const completion = await pool.complete(target, {
      ref: { type: "ref/prompt", name: "test_prompt_with_arguments" },
      argument: { name: "arg1", value: "" },
    });
    expect(completion.completion.values.length).toBeGreaterThan(0);
    expect(pool.size).toBe(1);
  });

  it("relays a JSON-RPC error with its code and data, keeping the session", async () => {
    const server = await startSampleServer(EVERYTHING);
    const pool = newPool();
    const target = endpoint(server.url, { versionNegotiation });

    const error = await rejection(pool.readResource(target, "test://does-not-exist"), UpstreamRpcError);
    expect([-32602, -32002]).toContain(error.code);
    expect(error.data).toEqual({ uri: "test://does-not-exist" });
    expect(error.message).toEqual(expect.any(String));
    expect(textOf(await pool.callTool(target, "echo", { message: "still fine" }))).toBe("still fine");
    expect(pool.size).toBe(1);
  });

  it("relays progress in order and resets the deadline on each", async () => {
    const server = await startSampleServer(EVERYTHING);
    const pool = newPool();
    const target = endpoint(server.url, { versionNegotiation });
    const seen: { progress: number; total?: number }[] = [];

    // 6 x 100 ms = 600 ms of work under a 300 ms deadline that each progress resets.
    const result = await pool.callTool(
      target,
      "slow",
      { steps: 6, stepMs: 100 },
      { timeoutMs: 300, onProgress: (p) => seen.push(p) },
    );
    expect(textOf(result)).toBe("completed 6 steps");
    expect(seen.map((p) => p.progress)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(seen[0]).toMatchObject({ total: 6, message: "step 1 of 6" });
  });

  it("cancels the upstream work when the downstream aborts", async () => {
    const server = await startSampleServer(EVERYTHING);
    const pool = newPool();
    const target = endpoint(server.url, { versionNegotiation });
    const controller = new AbortController();
    const reason = new Error("downstream went away");

    const call = pool.callTool(target, "slow", { steps: 100, stepMs: 50 }, { signal: controller.signal });
    setTimeout(() => controller.abort(reason), 300);
    await expect(call).rejects.toBe(reason);
    await server.process().waitForOutput(/slow cancelled after \d+ of 100 steps/, 5_000);
    expect(textOf(await pool.callTool(target, "echo", { message: "after cancel" }))).toBe("after cancel");
  });

  it("times out a call that takes too long, as UpstreamError timeout", async () => {
    const server = await startSampleServer(EVERYTHING);
    const pool = newPool();
    const target = endpoint(server.url, { versionNegotiation });

    const error = await rejection(
      pool.callTool(target, "slow", { steps: 20, stepMs: 100 }, { timeoutMs: 200 }),
      UpstreamError,
    );
    expect(error.code).toBe("timeout");
    expect(error.message).toContain("tools/call within 200 ms");
    await server.process().waitForOutput(/slow cancelled/, 5_000);
    expect(pool.size).toBe(1);
  });

  it("heals after the upstream is killed and restarted on the same port", async () => {
    const server = await startSampleServer(EVERYTHING);
    const pool = newPool();
    const target = endpoint(server.url, { versionNegotiation });
    expect(textOf(await pool.callTool(target, "echo", { message: "before" }))).toBe("before");

    await server.kill();
    const down = await rejection(pool.callTool(target, "echo", { message: "down" }), UpstreamError);
    expect(down.code).toBe("unreachable");
    await server.start();

    expect(textOf(await pool.callTool(target, "echo", { message: "after" }))).toBe("after");
    expect(pool.size).toBe(1);
  });

  it("heals without an error when the upstream restarted between two calls", async () => {
    const server = await startSampleServer(EVERYTHING);
    const pool = newPool();
    const target = endpoint(server.url, { versionNegotiation });
    expect(textOf(await pool.callTool(target, "echo", { message: "before" }))).toBe("before");

    await server.kill();
    await server.start();

    expect(textOf(await pool.callTool(target, "echo", { message: "after" }))).toBe("after");
    expect(pool.size).toBe(1);
  });
});

describe("upstream pool session lifecycle (2025 sessionful upstream, sessions counted)", () => {
  it("opens one upstream session for 100 calls, sequential and concurrent", async () => {
    const upstream = await startSessionfulHttpServer();
    const pool = newPool();
    const target = endpoint(upstream.url);

    for (let i = 0; i < 50; i++) await pool.callTool(target, "echo", { text: String(i) });
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => pool.callTool(target, "echo", { text: String(i) })),
    );
    expect(upstream.sessionsOpened()).toBe(1);
    expect(pool.size).toBe(1);
  });

  it("shares one connect between concurrent first calls", async () => {
    const upstream = await startSessionfulHttpServer();
    const pool = newPool();
    const target = endpoint(upstream.url);

    await Promise.all(Array.from({ length: 10 }, () => pool.callTool(target, "echo", { text: "x" })));
    expect(upstream.sessionsOpened()).toBe(1);
  });

  it("invalidate ends the session (DELETE); the next call opens a new one", async () => {
    const upstream = await startSessionfulHttpServer();
    const pool = newPool();
    const target = endpoint(upstream.url);
    await pool.callTool(target, "echo", { text: "x" });

    await pool.invalidate("gw-1");
    expect(pool.size).toBe(0);
    expect(upstream.sessionsEnded()).toBe(1);
    await pool.callTool(target, "echo", { text: "y" });
    expect(upstream.sessionsOpened()).toBe(2);
    expect(pool.size).toBe(1);
  });

  it("a new revision gets a new session and the old one is closed", async () => {
    const upstream = await startSessionfulHttpServer();
    const pool = newPool();
    await pool.callTool(endpoint(upstream.url, { revision: 1 }), "echo", { text: "x" });

    await pool.callTool(endpoint(upstream.url, { revision: 2 }), "echo", { text: "y" });
    expect(upstream.sessionsOpened()).toBe(2);
    await eventually(() => upstream.sessionsEnded() === 1);
    expect(pool.size).toBe(1);
  });

  it("closes a session left idle", async () => {
    const upstream = await startSessionfulHttpServer();
    const pool = newPool({ idleTimeoutMs: 200 });
    await pool.callTool(endpoint(upstream.url), "echo", { text: "x" });
    expect(pool.size).toBe(1);

    await eventually(() => pool.size === 0 && upstream.sessionsEnded() === 1);
  });

  it("close() ends every session and refuses later calls", async () => {
    const a = await startSessionfulHttpServer();
    const b = await startSessionfulHttpServer();
    const pool = newPool();
    await pool.callTool(endpoint(a.url, { gatewayId: "a" }), "echo", { text: "x" });
    await pool.callTool(endpoint(b.url, { gatewayId: "b" }), "echo", { text: "x" });
    expect(pool.size).toBe(2);

    await pool.close();
    expect(pool.size).toBe(0);
    expect(a.sessionsEnded() + b.sessionsEnded()).toBe(2);
    await expect(pool.callTool(endpoint(a.url), "echo", { text: "x" })).rejects.toThrow(/closed/);
    await eventually(() => a.http.openRequests() === 0 && b.http.openRequests() === 0);
  });
});

describe("upstream pool results and failures", () => {
  it("keeps members the SDK schemas do not know (_meta, extra fields)", async () => {
    const upstream = await startJsonRpcTestServer({
      initialize: initializeWith({ tools: {} }),
      "tools/call": () => ({
        content: [{ type: "text", text: "hi", annotations: { priority: 1 } }],
        structuredContent: { nested: { deep: [1, 2] } },
        isError: false,
        _meta: { "example.com/trace": "abc" },
        vendorExtra: { kept: true },
      }),
    });
    const pool = newPool();

    const result = await pool.callTool(endpoint(upstream.url), "anything", undefined);
    expect(result).toEqual({
      content: [{ type: "text", text: "hi", annotations: { priority: 1 } }],
      structuredContent: { nested: { deep: [1, 2] } },
      isError: false,
      _meta: { "example.com/trace": "abc" },
      vendorExtra: { kept: true },
    });
  });

  it("does not resend a call the upstream may have received; the next call reconnects", async () => {
    const seen: string[] = [];
    const http = await startHttpTestServer(async (req, res) => {
      if (req.method !== "POST") return void res.writeHead(405).end();
      const message = (await readJson(req)) as {
        id?: number;
        method: string;
        params?: { protocolVersion?: string };
      };
      seen.push(message.method);
      if (message.method === "tools/call") return void req.socket.destroy();
      if (message.id === undefined) return void res.writeHead(202).end();
      const result =
        message.method === "initialize"
          ? {
              protocolVersion: message.params?.protocolVersion,
              capabilities: { tools: {} },
              serverInfo: { name: "x", version: "1" },
            }
          : undefined;
      const reply = result
        ? { jsonrpc: "2.0", id: message.id, result }
        : { jsonrpc: "2.0", id: message.id, error: { code: -32601, message: "Method not found" } };
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(reply));
    });
    const pool = newPool();
    const target = endpoint(`${http.origin}/mcp`);

    const error = await rejection(pool.callTool(target, "x", {}), UpstreamError);
    expect(error.code).toBe("unreachable");
    expect(seen.filter((m) => m === "tools/call")).toHaveLength(1);
    await rejection(pool.callTool(target, "x", {}), UpstreamError);
    expect(seen.filter((m) => m === "tools/call")).toHaveLength(2);
    expect(seen.filter((m) => m === "initialize")).toHaveLength(2);
  });

  it("rejects a bad URL before any I/O", async () => {
    const pool = newPool();
    const error = await rejection(pool.callTool(endpoint("ftp://example.com/mcp"), "x", {}), UpstreamError);
    expect(error.code).toBe("unreachable");
    expect(pool.size).toBe(0);
  });
});
