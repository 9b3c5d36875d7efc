import { stopAllProcesses } from "@contextforge/testing";
import { afterEach, describe, expect, it } from "vitest";
import {
  createUpstreamPool,
  type UpstreamCallContext,
  type UpstreamHttpEndpoint,
  type UpstreamNotification,
  type UpstreamPool,
  type UpstreamServerRequest,
} from "../../src/mcp/upstream/upstream-pool.js";
import { closeAllHttpTestServers } from "./http-test-server.js";
import { startLegacySseServer } from "./legacy-test-servers.js";
import { startSampleServer } from "./sample-server-process.js";

const EVERYTHING = "@contextforge/server-everything";
const pools: UpstreamPool[] = [];

function newPool(): UpstreamPool {
  const pool = createUpstreamPool({
    defaultTimeoutMs: 10_000,
    clientInfo: { name: "pool-test", version: "1" },
  });
  pools.push(pool);
  return pool;
}

function endpoint(url: string, extra: Partial<UpstreamHttpEndpoint> = {}): UpstreamHttpEndpoint {
  return { gatewayId: "gw-1", url, transport: "STREAMABLEHTTP", revision: 1, ...extra };
}

const textOf = (result: { content?: unknown }): string =>
  (result.content as { text?: string }[] | undefined)?.[0]?.text ?? "";

/** A downstream caller that answers every server->client request as `name`, after `delayMs`. */
function caller(name: string, delayMs = 0): UpstreamCallContext & { requests: UpstreamServerRequest[] } {
  const requests: UpstreamServerRequest[] = [];
  return {
    requests,
    async onServerRequest(request) {
      requests.push(request);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (request.method === "sampling/createMessage")
        return {
          model: "test-model",
          role: "assistant",
          content: { type: "text", text: `answer of ${name}` },
        };
      if (request.method === "roots/list") return { roots: [{ uri: `file:///${name}`, name }] };
      return { action: "accept", content: { response: `reply of ${name}`, name, color: `${name}-blue` } };
    },
  };
}

afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
  await stopAllProcesses();
  await closeAllHttpTestServers();
});

describe("server->client requests over a 2025 streamable HTTP session (everything, legacy)", () => {
  it("routes sampling to the caller that made the call, among concurrent callers", async () => {
    const server = await startSampleServer(EVERYTHING);
    const pool = newPool();
    const target = endpoint(server.url, { versionNegotiation: "legacy" });
    const alice = caller("alice", 150);
    const bob = caller("bob", 10);

    const [a, b] = await Promise.all([
      pool.callTool(target, "test_sampling", { prompt: "for alice" }, alice),
      pool.callTool(target, "test_sampling", { prompt: "for bob" }, bob),
    ]);
    expect(textOf(a)).toBe("LLM response: answer of alice");
    expect(textOf(b)).toBe("LLM response: answer of bob");
    expect(alice.requests).toEqual([
      {
        method: "sampling/createMessage",
        id: expect.anything(),
        params: expect.objectContaining({
          messages: [{ role: "user", content: { type: "text", text: "for alice" } }],
        }),
      },
    ]);
    expect(bob.requests).toHaveLength(1);
    expect(pool.size).toBe(1);
  });

  it("routes elicitation the same way, interleaved with sampling", async () => {
    const server = await startSampleServer(EVERYTHING);
    const pool = newPool();
    const target = endpoint(server.url, { versionNegotiation: "legacy" });
    const callers = Array.from({ length: 6 }, (_, i) => caller(`c${i}`, (6 - i) * 20));

    const results = await Promise.all(
      callers.map((ctx, i) =>
        i % 2 === 0
          ? pool.callTool(target, "test_elicitation", { message: `ask c${i}` }, ctx)
          : pool.callTool(target, "test_sampling", { prompt: `c${i}` }, ctx),
      ),
    );
    results.forEach((result, i) => {
      expect(textOf(result)).toContain(i % 2 === 0 ? `"response":"reply of c${i}"` : `answer of c${i}`);
    });
  });

  it("answers 'not supported' when the caller cannot take server->client requests", async () => {
    const server = await startSampleServer(EVERYTHING);
    const pool = newPool();
    const target = endpoint(server.url, { versionNegotiation: "legacy" });

    const result = await pool.callTool(target, "test_sampling", { prompt: "x" });
    expect(textOf(result)).toMatch(/^Sampling not supported or error: .*not supported/);
  });

  it("delivers log notifications to the call that caused them", async () => {
    const server = await startSampleServer(EVERYTHING);
    const pool = newPool();
    const target = endpoint(server.url, { versionNegotiation: "legacy" });
    const logs: Record<string, UpstreamNotification[]> = { a: [], b: [] };

    await Promise.all([
      pool.callTool(target, "test_tool_with_logging", {}, { onNotification: (n) => logs.a?.push(n) }),
      pool.callTool(target, "echo", { message: "quiet" }, { onNotification: (n) => logs.b?.push(n) }),
    ]);
    expect(logs.a?.map((n) => n.params?.data)).toEqual([
      "Tool execution started",
      "Tool processing data",
      "Tool execution completed",
    ]);
    expect(logs.a?.[0]?.method).toBe("notifications/message");
    expect(logs.b).toEqual([]);
  });
});

describe("input_required (MRTR) over 2026-07-28 (everything, auto)", () => {
  it("fulfils sampling, elicitation and roots through the caller's handler and retries", async () => {
    const server = await startSampleServer(EVERYTHING);
    const pool = newPool();
    const target = endpoint(server.url);
    const alice = caller("alice", 100);
    const bob = caller("bob");
    const carol = caller("carol", 50);

    const [sampled, elicited, roots] = await Promise.all([
      pool.callTool(target, "test_input_required_result_sampling", {}, alice),
      pool.callTool(target, "test_input_required_result_elicitation", {}, bob),
      pool.callTool(target, "test_input_required_result_list_roots", {}, carol),
    ]);
    expect(textOf(sampled)).toBe("Sampling response: answer of alice");
    expect(textOf(elicited)).toBe("Hello, bob!");
    expect(textOf(roots)).toBe("Received 1 root(s): file:///carol");
    expect(alice.requests.map((r) => r.method)).toEqual(["sampling/createMessage"]);
    expect(bob.requests.map((r) => r.method)).toEqual(["elicitation/create"]);
  });

  it("runs several rounds with a signed requestState, and hides the SDK's synthetic round progress", async () => {
    const server = await startSampleServer(EVERYTHING);
    const pool = newPool();
    const dave = caller("dave");
    const progress: number[] = [];

    const result = await pool.callTool(
      endpoint(server.url),
      "test_input_required_result_multi_round",
      {},
      {
        ...dave,
        onProgress: (p) => progress.push(p.progress),
      },
    );
    expect(textOf(result)).toBe("Done: dave likes dave-blue");
    expect(dave.requests).toHaveLength(2);
    expect(progress).toEqual([]);
  });

  it("declares no client capabilities for a caller without onServerRequest", async () => {
    const server = await startSampleServer(EVERYTHING);
    const pool = newPool();

    const result = await pool.callTool(endpoint(server.url), "test_input_required_result_capabilities", {});
    expect(textOf(result)).toBe("Capabilities respected");
  });
});

describe("server->client requests over the legacy HTTP+SSE transport", () => {
  it("routes to the only call in flight (the SSE stream carries no call context)", async () => {
    const upstream = await startLegacySseServer({ withSamplingTool: true });
    const pool = newPool();
    const target = endpoint(upstream.url, { transport: "SSE" });

    const result = await pool.callTool(target, "ask_llm", { prompt: "hi" }, caller("solo"));
    expect(textOf(result)).toBe("LLM said: answer of solo");
  });

  it("refuses (JSON-RPC error to the upstream) when several calls are in flight", async () => {
    const upstream = await startLegacySseServer({ withSamplingTool: true });
    const pool = newPool();
    const target = endpoint(upstream.url, { transport: "SSE" });

    const outcomes = await Promise.allSettled([
      pool.callTool(target, "ask_llm", { prompt: "1" }, caller("one", 50)),
      pool.callTool(target, "ask_llm", { prompt: "2" }, caller("two", 50)),
    ]);
    // The upstream tool turns the refused sampling into an error result (or a JSON-RPC error).
    for (const outcome of outcomes) {
      if (outcome.status === "fulfilled") expect(outcome.value.isError).toBe(true);
      else expect(String(outcome.reason)).toMatch(/not related to a call in flight/);
    }
  });
});
