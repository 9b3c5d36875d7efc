import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { getFreePort, startProcess, stopAllProcesses } from "@contextforge/testing";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { afterEach, describe, expect, it } from "vitest";
import { discoverUpstream, UpstreamError } from "../../src/mcp/upstream/upstream-discovery.js";
import { closeAllHttpTestServers, eventually } from "./http-test-server.js";
import { initializeWith, startJsonRpcTestServer } from "./json-rpc-test-server.js";
import { startLegacySseServer, startSessionfulHttpServer } from "./legacy-test-servers.js";

const require = createRequire(import.meta.url);

function binOf(packageName: string): string {
  return join(dirname(require.resolve(`${packageName}/package.json`)), "dist", "cli.js");
}

/** Starts a built sample server over streamable HTTP; returns its MCP endpoint. */
async function startSampleServer(packageName: string, extraArgs: readonly string[] = []): Promise<string> {
  const port = await getFreePort();
  await startProcess(
    process.execPath,
    [binOf(packageName), "--transport", "http", "--port", String(port), ...extraArgs],
    { readyPattern: /listening on/ },
  );
  return `http://127.0.0.1:${port}/mcp`;
}

async function rejection(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UpstreamError);
  return error as UpstreamError;
}

afterEach(async () => {
  await stopAllProcesses();
  await closeAllHttpTestServers();
});

describe("discoverUpstream over streamable HTTP", () => {
  it("lists the tools, resource and prompt of fast-time with their schemas, in protocol 2026-07-28", async () => {
    const url = await startSampleServer("@contextforge/server-fast-time");

    const found = await discoverUpstream({ url, transport: "STREAMABLEHTTP" });

    expect(found.protocolVersion).toBe("2026-07-28");
    expect(found.serverInfo).toMatchObject({ name: "fast-time", version: expect.any(String) });
    expect(found.capabilities).toHaveProperty("tools");
    expect(found.instructions).toEqual(expect.any(String));
    expect(found.tools.map((t) => t.name).sort()).toEqual(["convert_time", "get_system_time"]);
    const convert = found.tools.find((t) => t.name === "convert_time");
    expect(convert?.inputSchema).toMatchObject({ type: "object", properties: expect.any(Object) });
    expect(convert?.description).toEqual(expect.any(String));
    expect(found.resources).toEqual([
      expect.objectContaining({ uri: "time://timezones", name: "timezones" }),
    ]);
    expect(found.prompts).toEqual([
      expect.objectContaining({ name: "compare_times", arguments: expect.any(Array) }),
    ]);
    // 2026 list-level extras stay out of the items.
    expect(JSON.stringify(found.tools)).not.toContain("cacheScope");
  });

  it("follows nextCursor across every page of every list (everything, page size 2)", async () => {
    const url = await startSampleServer("@contextforge/server-everything", ["--page-size", "2"]);

    const found = await discoverUpstream({ url, transport: "STREAMABLEHTTP" });
    expect(found.protocolVersion).toBe("2026-07-28");

    // The SDK's own auto-aggregating walk, in the same era (everything serves era-specific tools).
    const reference = new Client(
      { name: "reference", version: "0" },
      { listMaxPages: 0, versionNegotiation: { mode: "auto" } },
    );
    await reference.connect(new StreamableHTTPClientTransport(new URL(url)));
    try {
      const names = (items: readonly { name: string }[]): string[] => items.map((i) => i.name).sort();
      expect(found.tools.length).toBeGreaterThan(2);
      expect(names(found.tools)).toEqual(names((await reference.listTools()).tools));
      expect(names(found.resources)).toEqual(names((await reference.listResources()).resources));
      expect(names(found.resourceTemplates)).toEqual(
        names((await reference.listResourceTemplates()).resourceTemplates),
      );
      expect(names(found.prompts)).toEqual(names((await reference.listPrompts()).prompts));
    } finally {
      await reference.close();
    }
    expect(new Set(found.tools.map((t) => t.name)).size).toBe(found.tools.length);
    expect(found.tools.map((t) => t.name)).toContain("test_simple_text");
    expect(found.resources.map((r) => r.uri)).toContain("test://static-text");
    expect(found.resourceTemplates.length).toBeGreaterThan(0);
    expect(found.prompts.map((p) => p.name)).toContain("test_simple_prompt");
  });

  it("falls back to 2025-11-25 for a sessionful 2025 server and ends its session with DELETE", async () => {
    const upstream = await startSessionfulHttpServer();

    const found = await discoverUpstream({ url: upstream.url, transport: "STREAMABLEHTTP" });

    expect(found.protocolVersion).toBe("2025-11-25");
    expect(found.serverInfo).toMatchObject({ name: "legacy-upstream", version: "1.2.3" });
    expect(found.instructions).toBe("A 2025-era test upstream.");
    expect(found.tools).toEqual([
      expect.objectContaining({
        name: "echo",
        title: "Echo",
        inputSchema: expect.objectContaining({ type: "object" }),
      }),
    ]);
    expect(found.resources).toEqual([
      expect.objectContaining({ uri: "doc://readme", mimeType: "text/plain" }),
    ]);
    expect(found.prompts[0]?.arguments).toEqual([expect.objectContaining({ name: "name", required: true })]);
    expect(upstream.sessionsOpened()).toBe(1);
    expect(upstream.sessionsEnded()).toBe(1);
    await eventually(() => upstream.http.openRequests() === 0);
  });

  it("sends the target's headers on every request", async () => {
    const upstream = await startSessionfulHttpServer({ requiredAuthorization: "Bearer s3cret-token" });

    const found = await discoverUpstream({
      url: upstream.url,
      transport: "STREAMABLEHTTP",
      headers: { Authorization: "Bearer s3cret-token" },
    });

    expect(found.tools.map((t) => t.name)).toEqual(["echo"]);
    expect(upstream.authorizations.length).toBeGreaterThan(3);
    expect(new Set(upstream.authorizations)).toEqual(new Set(["Bearer s3cret-token"]));
  });

  it("lists nothing that the server's capabilities do not declare", async () => {
    const upstream = await startJsonRpcTestServer({ initialize: initializeWith({ logging: {} }) });

    const found = await discoverUpstream({ url: upstream.url, transport: "STREAMABLEHTTP" });

    expect(found).toMatchObject({ tools: [], resources: [], resourceTemplates: [], prompts: [] });
    expect(found.capabilities).toEqual({ logging: {} });
    expect(upstream.methods.filter((m) => m.endsWith("/list"))).toEqual([]);
  });
});

describe("discoverUpstream over legacy SSE", () => {
  it("discovers a v1 SDK HTTP+SSE server, sends the headers, and closes its stream", async () => {
    const upstream = await startLegacySseServer({ requiredAuthorization: "Bearer sse-token" });

    const found = await discoverUpstream({
      url: upstream.url,
      transport: "SSE",
      headers: { Authorization: "Bearer sse-token" },
    });

    expect(found.protocolVersion).toMatch(/^20\d\d-\d\d-\d\d$/);
    expect(found.serverInfo).toMatchObject({ name: "legacy-upstream", version: "1.2.3" });
    expect(found.tools.map((t) => t.name)).toEqual(["echo"]);
    expect(found.resources.map((r) => r.uri)).toEqual(["doc://readme"]);
    expect(found.prompts.map((p) => p.name)).toEqual(["greet"]);
    expect(new Set(upstream.authorizations)).toEqual(new Set(["Bearer sse-token"]));
    await eventually(() => upstream.sessionsEnded() === 1);
    expect(upstream.sessionsOpened()).toBe(1);
  });

  it("reports a 401 on the SSE stream as unauthorized", async () => {
    const upstream = await startLegacySseServer({ requiredAuthorization: "Bearer right" });

    const error = await rejection(
      discoverUpstream({ url: upstream.url, transport: "SSE", headers: { Authorization: "Bearer wrong" } }),
    );

    expect(error.code).toBe("unauthorized");
    expect(error.message).not.toContain("wrong");
  });
});
