import { getFreePort } from "@contextforge/testing";
import { afterEach, describe, expect, it } from "vitest";
import { discoverUpstream, UpstreamError } from "../../src/mcp/upstream/upstream-discovery.js";
import { closeAllHttpTestServers, eventually, startHttpTestServer } from "./http-test-server.js";
import { initializeWith, startJsonRpcTestServer } from "./json-rpc-test-server.js";

async function rejection(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UpstreamError);
  return error as UpstreamError;
}

/** A 2025-era server whose n-th `tools/list` page (from 0) holds `tool_<n>` and the cursor `next(n)`. */
async function startPaginatingServer(next: (page: number) => string) {
  let page = 0;
  return startJsonRpcTestServer({
    initialize: initializeWith({ tools: {} }),
    "tools/list": () => {
      const current = page++;
      return {
        tools: [{ name: `tool_${current}`, inputSchema: { type: "object" } }],
        nextCursor: next(current),
      };
    },
  });
}

afterEach(async () => {
  await closeAllHttpTestServers();
});

describe.each(["STREAMABLEHTTP", "SSE"] as const)("discoverUpstream failures over %s", (transport) => {
  it("reports a closed port as unreachable, quickly", async () => {
    const port = await getFreePort();
    const started = Date.now();

    const error = await rejection(discoverUpstream({ url: `http://127.0.0.1:${port}/mcp`, transport }));

    expect(error.code).toBe("unreachable");
    expect(error.message).toContain(`127.0.0.1:${port}/mcp`);
    expect(error.cause).toBeDefined();
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("times out at the deadline on a server that accepts and never answers, and drops the request", async () => {
    const hanging = await startHttpTestServer(() => {});
    const started = Date.now();

    const error = await rejection(
      discoverUpstream({ url: `${hanging.origin}/mcp`, transport, timeoutMs: 500 }),
    );

    expect(error.code).toBe("timeout");
    expect(error.message).toContain("500 ms");
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(Date.now() - started).toBeLessThan(2_500);
    // The gateway aborted its hung request instead of leaving the socket open.
    await eventually(() => hanging.openRequests() === 0);
  });

  it("reports HTTP 401 and 403 as unauthorized, without echoing the credentials", async () => {
    for (const status of [401, 403]) {
      const denying = await startHttpTestServer((_req, res) => {
        res.writeHead(status, { "www-authenticate": 'Bearer realm="x"' }).end("denied");
      });

      const error = await rejection(
        discoverUpstream({
          url: `${denying.origin}/mcp?api_key=query-secret`,
          transport,
          headers: { Authorization: "Bearer header-secret" },
        }),
      );

      expect(error.code).toBe("unauthorized");
      expect(error.message).toContain(`${denying.origin}/mcp`);
      expect(error.message).toContain(String(status));
      expect(error.message).not.toMatch(/secret/);
      expect(error.url).toBe(`${denying.origin}/mcp`);
    }
  });

  it("reports an endpoint that is not MCP as a protocol error", async () => {
    const notMcp = await startHttpTestServer((_req, res) => {
      res.writeHead(404, { "content-type": "text/plain" }).end("no such page");
    });

    const error = await rejection(discoverUpstream({ url: `${notMcp.origin}/mcp`, transport }));

    expect(error.code).toBe("protocol");
    expect(error.message).toContain("HTTP 404");
  });
});

describe("discoverUpstream input and pagination guards", () => {
  it("rejects a URL that is not http(s) before any I/O", async () => {
    const error = await rejection(discoverUpstream({ url: "ftp://example.test/mcp", transport: "SSE" }));
    expect(error.code).toBe("unreachable");
  });

  it("rejects a header fetch cannot send, naming the header but not its value", async () => {
    const error = await rejection(
      discoverUpstream({
        url: "http://127.0.0.1:9/mcp",
        transport: "STREAMABLEHTTP",
        headers: { Authorization: "Bearer broken\nsecret-value" },
      }),
    );

    expect(error.code).toBe("unreachable");
    expect(error.message).toContain("Authorization");
    expect(error.message).not.toContain("secret-value");
    expect(error.cause).toBeUndefined();
  });

  it("stops with a protocol error when a server repeats its cursor forever", async () => {
    const upstream = await startPaginatingServer(() => "same-cursor");

    const error = await rejection(discoverUpstream({ url: upstream.url, transport: "STREAMABLEHTTP" }));

    expect(error.code).toBe("protocol");
    expect(error.message).toMatch(/tools\/list cursor/);
    expect(upstream.methods.filter((m) => m === "tools/list")).toHaveLength(2);
  });

  it("stops with a protocol error past the page limit when cursors never converge", async () => {
    const upstream = await startPaginatingServer((page) => `page-${page + 1}`);

    const error = await rejection(
      discoverUpstream({ url: upstream.url, transport: "STREAMABLEHTTP", maxPagesPerList: 25 }),
    );

    expect(error.code).toBe("protocol");
    expect(error.message).toContain("more than 25 pages");
    expect(upstream.methods.filter((m) => m === "tools/list")).toHaveLength(25);
  });

  it("collects every page of a finite walk from a hand-written server", async () => {
    const upstream = await startPaginatingServer((page) => (page < 4 ? `page-${page + 1}` : ""));

    const found = await discoverUpstream({ url: upstream.url, transport: "STREAMABLEHTTP" });

    // 2025-era: an empty nextCursor ends the walk.
    expect(found.protocolVersion).toBe("2025-11-25");
    expect(found.tools.map((t) => t.name)).toEqual(["tool_0", "tool_1", "tool_2", "tool_3", "tool_4"]);
  });

  it("rejects with the caller's reason when the caller aborts", async () => {
    const hanging = await startHttpTestServer(() => {});
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("gateway shutting down")), 100);

    await expect(
      discoverUpstream({
        url: `${hanging.origin}/mcp`,
        transport: "STREAMABLEHTTP",
        signal: controller.signal,
      }),
    ).rejects.toThrow("gateway shutting down");
    await eventually(() => hanging.openRequests() === 0);
  });
});
