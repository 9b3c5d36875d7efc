import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { stopAllProcesses } from "@contextforge/testing";
import { Client } from "@modelcontextprotocol/client";
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binPath, type GatewayUnderTest, installedVersion, startGatewayUnderTest } from "../src/index.js";

// mcp-remote is what Claude Desktop, Cursor and Windsurf run to reach a remote server:
// `npx mcp-remote <url> --header "Authorization: Bearer ${TOKEN}"`, speaking stdio to the host.
const MCP_REMOTE = binPath("mcp-remote", "mcp-remote");

interface Bridge {
  readonly client: Client;
  stderr(): string;
}

let gateway: GatewayUnderTest;
const bridges: Bridge[] = [];
beforeAll(async () => {
  gateway = await startGatewayUnderTest();
});
afterAll(async () => {
  await Promise.all(bridges.map((b) => b.client.close()));
  await gateway?.close();
  await stopAllProcesses();
});

/** Starts mcp-remote as a desktop host does and connects the SDK v2 client to its stdio. */
async function connectThroughMcpRemote(
  url: string,
  token: string,
  args: readonly string[] = [],
): Promise<Bridge> {
  let stderr = "";
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [MCP_REMOTE, url, "--header", `Authorization: Bearer ${token}`, ...args],
    // Its OAuth state and debug logs default to ~/.mcp-auth.
    env: { ...getDefaultEnvironment(), MCP_REMOTE_CONFIG_DIR: join(gateway.scratchDir, "mcp-auth") },
    stderr: "pipe",
  });
  transport.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const client = new Client({ name: "desktop-host", version: "1.0.0" });
  const bridge = { client, stderr: () => stderr };
  bridges.push(bridge);
  await client.connect(transport);
  return bridge;
}

async function expectListAndEcho(client: Client, message: string): Promise<Record<string, unknown>> {
  const { tools } = await client.listTools();
  expect(tools).toHaveLength(gateway.toolCount);
  expect(tools.map((t) => t.name)).toContain(gateway.echoTool);
  const result = await client.callTool({ name: gateway.echoTool, arguments: { message } });
  expect(result.content).toEqual([{ type: "text", text: message }]);
  return result;
}

describe(`mcp-remote ${installedVersion("mcp-remote")}`, () => {
  it("lists and calls the tools over streamable HTTP (the default http-first strategy)", async () => {
    const { client, stderr } = await connectThroughMcpRemote(gateway.endpoint("mcp"), gateway.token);
    await expectListAndEcho(client, "through mcp-remote");
    expect(stderr()).toContain("Connected to remote server using StreamableHTTPClientTransport");
    await client.close();
  });

  it("lists and calls the tools over SSE with --transport sse-only", async () => {
    const { client, stderr } = await connectThroughMcpRemote(gateway.endpoint("sse"), gateway.token, [
      "--transport",
      "sse-only",
    ]);
    await expectListAndEcho(client, "through mcp-remote over SSE");
    expect(stderr()).toContain("Connected to remote server using SSEClientTransport");
    await client.close();
  });

  it("bridges its 2025-11-25 host to the gateway's 2026-07-28 with --protocol auto", async () => {
    const { client, stderr } = await connectThroughMcpRemote(gateway.endpoint("mcp"), gateway.token, [
      "--protocol",
      "auto",
    ]);
    const result = await expectListAndEcho(client, "bridged");
    expect(stderr()).toContain("Remote server speaks MCP 2026-07-28");
    expect(result._meta).toMatchObject({
      "io.modelcontextprotocol/serverInfo": { name: "contextforge-gateway" },
    });
    await client.close();
  });

  it("gets a quick 404 for every OAuth discovery document it probes before using the header", async () => {
    const started = performance.now();
    const { client } = await connectThroughMcpRemote(gateway.endpoint("mcp"), gateway.token, ["--debug"]);
    expect(performance.now() - started).toBeLessThan(10_000);
    await client.close();
    // --debug logs every discovery URL it fetched, with the answer; ask each one again ourselves.
    const dir = join(gateway.scratchDir, "mcp-auth");
    const logs = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) =>
      f.endsWith("_debug.log"),
    );
    const probed = new Set(
      logs.flatMap(
        (f) => readFileSync(join(dir, f), "utf8").match(/http:\/\/[^"\s]*\/\.well-known\/[^"\s]*/g) ?? [],
      ),
    );
    // RFC 9728 first, then RFC 8414 and OpenID discovery, the last one appended to the endpoint.
    expect([...probed]).toEqual(
      expect.arrayContaining([
        `${gateway.baseUrl}/.well-known/oauth-protected-resource/servers/${gateway.serverId}/mcp`,
        `${gateway.baseUrl}/.well-known/oauth-authorization-server`,
        `${gateway.endpoint("mcp")}/.well-known/openid-configuration`,
      ]),
    );
    for (const url of probed) {
      const asked = performance.now();
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      expect(response.status, url).toBe(404);
      expect(performance.now() - asked, url).toBeLessThan(1_000);
    }
  });

  it.each([
    ["streamable HTTP", "mcp", []],
    ["SSE", "sse", ["--transport", "sse-only"]],
  ] as const)(
    "exits with the gateway's 401 for a foreign token over %s, no hang",
    async (_name, kind, args) => {
      const started = performance.now();
      const attempt = connectThroughMcpRemote(gateway.endpoint(kind), gateway.foreignToken, args);
      await expect(attempt).rejects.toThrow();
      expect(performance.now() - started).toBeLessThan(10_000);
      const { stderr } = bridges.at(-1) as Bridge;
      expect(stderr()).toMatch(/401/);
    },
  );
});
