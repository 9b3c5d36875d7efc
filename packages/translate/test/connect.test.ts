import { getFreePort, type ManagedProcess, startProcess, stopAllProcesses } from "@contextforge/testing";
import type { Client } from "@modelcontextprotocol/client";
import { afterEach, describe, expect, it } from "vitest";
import {
  type BridgedClient,
  bridgedClient,
  CLI,
  EVERYTHING,
  envReport,
  envServerArgv,
  eventually,
  everythingArgv,
  firstText,
  newMarker,
  pidsWithMarker,
  startExposed,
} from "./helpers.js";

/** Marks the bridges (`mcptranslate --connect-*`). */
const marker = newMarker();
/** Marks the stdio servers behind the remote side. */
const serverMarker = newMarker();
const bridges: BridgedClient[] = [];

afterEach(async () => {
  await Promise.allSettled(bridges.splice(0).map((bridge) => bridge.client.close()));
  await stopAllProcesses();
  await eventually(() => {
    expect(pidsWithMarker(marker)).toEqual([]);
    expect(pidsWithMarker(serverMarker)).toEqual([]);
  });
});

/** The sample server over streamable HTTP on `port` (0: any). */
async function startEverythingHttp(port = 0): Promise<{ process: ManagedProcess; url: string }> {
  const ready = /listening on (http:\S+)/;
  const server = await startProcess(
    process.execPath,
    [EVERYTHING, "--transport", "http", "--port", String(port)],
    {
      readyPattern: ready,
    },
  );
  const [, url] = (await server.waitForOutput(ready)) as unknown as [string, string];
  return { process: server, url };
}

/** The sample server's stdio CLI exposed by `mcptranslate` on `flag`. */
function exposeEverything(flag: string, port = 0): Promise<{ process: ManagedProcess; url: string }> {
  const stdio = everythingArgv(serverMarker)
    .map((arg) => JSON.stringify(arg))
    .join(" ");
  return startExposed(newMarker(), ["--stdio", stdio, flag, "--port", String(port)]);
}

async function bridge(args: readonly string[], setUp?: (client: Client) => void): Promise<BridgedClient> {
  const bridged = await bridgedClient(marker, args, {
    client: { versionNegotiation: { mode: "legacy" }, capabilities: { sampling: {} } },
    ...(setUp ? { setUp } : {}),
  });
  bridges.push(bridged);
  return bridged;
}

const REMOTES: [string, string, () => Promise<{ url: string }>][] = [
  ["streamable HTTP", "--connect-streamable-http", () => startEverythingHttp()],
  ["SSE", "--connect-sse", () => exposeEverything("--expose-sse")],
  ["WebSocket", "--connect-ws", () => exposeEverything("--expose-ws")],
];

describe("--connect-*: a remote MCP server bridged to a stdio client", () => {
  it.each(REMOTES)(
    "lists and calls tools, relays progress and a sampling round trip over %s",
    async (_, flag, start) => {
      const { url } = await start();
      const prompts: string[] = [];
      const { client, stderr } = await bridge([flag, url], (c) =>
        c.setRequestHandler("sampling/createMessage", async (request) => {
          const content = request.params.messages[0]?.content;
          prompts.push(content && "text" in content ? String(content.text) : "");
          return { role: "assistant", model: "test-model", content: { type: "text", text: "Paris" } };
        }),
      );
      expect(client.getServerVersion()?.name).toBe("mcp-sample-everything");
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toEqual(
        expect.arrayContaining(["echo", "slow", "test_sampling"]),
      );
      expect(firstText(await client.callTool({ name: "echo", arguments: { message: `over ${flag}` } }))).toBe(
        `over ${flag}`,
      );

      const progress: number[] = [];
      const slow = await client.callTool(
        { name: "slow", arguments: { steps: 3, stepMs: 20 } },
        { onprogress: (p) => progress.push(p.progress) },
      );
      expect(firstText(slow)).toBe("completed 3 steps");
      // The SDK client runs notification handlers a microtask later than it settles responses, so a
      // last progress read in the same chunk as the response can be dropped by the client itself.
      expect(progress.slice(0, 2)).toEqual([1, 2]);
      expect([
        [1, 2],
        [1, 2, 3],
      ]).toContainEqual(progress);

      const sampled = await client.callTool({
        name: "test_sampling",
        arguments: { prompt: "Capital of France?" },
      });
      expect(firstText(sampled)).toBe("LLM response: Paris");
      expect(prompts).toEqual(["Capital of France?"]);
      expect(stderr()).toContain("mcptranslate: connected to the remote MCP server");
    },
  );

  it("holds the client's messages until a remote started 1 s later is reachable (streamable HTTP)", async () => {
    const port = await getFreePort();
    const late = setTimeout(() => void startEverythingHttp(port), 1_000);
    try {
      const started = Date.now();
      const { client, stderr } = await bridge(["--connect-streamable-http", `http://127.0.0.1:${port}/mcp`]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      expect(firstText(await client.callTool({ name: "echo", arguments: { message: "late" } }))).toBe("late");
      expect(stderr()).toMatch(/retrying in \d+ ms/);
    } finally {
      clearTimeout(late);
    }
  });

  it("holds the client's messages until a remote started 1 s later is reachable (WebSocket)", async () => {
    const port = await getFreePort();
    const late = setTimeout(() => void exposeEverything("--expose-ws", port), 1_000);
    try {
      const { client } = await bridge(["--connect-ws", `ws://127.0.0.1:${port}/ws`]);
      expect(firstText(await client.callTool({ name: "echo", arguments: { message: "late ws" } }))).toBe(
        "late ws",
      );
    } finally {
      clearTimeout(late);
    }
  });

  it.each([
    ["streamable HTTP", "--connect-streamable-http", (port: number) => startEverythingHttp(port)],
    ["SSE", "--connect-sse", (port: number) => exposeEverything("--expose-sse", port)],
    ["WebSocket", "--connect-ws", (port: number) => exposeEverything("--expose-ws", port)],
  ])(
    "opens a new remote session when the %s remote restarts; the client keeps its session",
    async (_, flag, startOn) => {
      const port = await getFreePort();
      const start = () => startOn(port);
      let remote = await start();
      const { client, stderr } = await bridge([flag, remote.url]);
      expect(firstText(await client.callTool({ name: "echo", arguments: { message: "before" } }))).toBe(
        "before",
      );

      await remote.process.stop();
      remote = await start();
      const after = await eventually(
        () => client.callTool({ name: "echo", arguments: { message: "after" } }),
        15_000,
      );
      expect(firstText(after)).toBe("after");
      expect(stderr()).toContain("opened a new remote session for the client");
    },
    60_000,
  );

  it("restores the client's resource subscriptions and log level in the new remote session", async () => {
    const port = await getFreePort();
    let remote = await startEverythingHttp(port);
    const updates: string[] = [];
    const logs: string[] = [];
    const { client } = await bridge(["--connect-streamable-http", remote.url], (c) => {
      c.setNotificationHandler("notifications/resources/updated", (notification) => {
        updates.push(notification.params.uri);
      });
      c.setNotificationHandler("notifications/message", (notification) => {
        logs.push(notification.params.level);
      });
    });
    await client.setLoggingLevel("error");
    await client.subscribeResource({ uri: "test://watched-resource" });

    await remote.process.stop();
    remote = await startEverythingHttp(port);
    await eventually(() => client.callTool({ name: "echo", arguments: { message: "back" } }), 15_000);
    await client.callTool({ name: "update_watched_resource", arguments: {} });
    await eventually(() => expect(updates).toEqual(["test://watched-resource"]));

    // The new session filters the tool's info messages as the client asked the old one to.
    await client.callTool({ name: "test_tool_with_logging", arguments: {} });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(logs).toEqual([]);
    await client.setLoggingLevel("info");
    await client.callTool({ name: "test_tool_with_logging", arguments: {} });
    await eventually(() => expect(logs).toEqual(["info", "info", "info"]));
  }, 60_000);

  it("sends --header and --oauth2Bearer to the remote, and never logs them", async () => {
    const remote = await startExposed(newMarker(), [
      "--stdio",
      envServerArgv(serverMarker)
        .map((arg) => JSON.stringify(arg))
        .join(" "),
      "--expose-streamable-http",
      "--port",
      "0",
      "--header-to-env",
      "X-Tenant=TENANT",
      "--header-to-env",
      "Authorization=AUTH",
    ]);
    const { client, stderr } = await bridge([
      "--connect-streamable-http",
      remote.url,
      "--header",
      "X-Tenant: acme-corp",
      "--oauth2Bearer",
      "s3cret-token",
      "--logLevel",
      "debug",
    ]);
    expect(envReport(await client.callTool({ name: "env", arguments: { name: "TENANT" } })).value).toBe(
      "acme-corp",
    );
    expect(envReport(await client.callTool({ name: "env", arguments: { name: "AUTH" } })).value).toBe(
      "Bearer s3cret-token",
    );
    expect(stderr()).not.toContain("s3cret-token");
    expect(remote.process.output().stderr).not.toContain("s3cret-token");
  });

  it("ends the remote session when the client closes stdin, and exits 0", async () => {
    const remote = await exposeEverything("--expose-streamable-http");
    const { client, transport } = await bridge(["--connect-streamable-http", remote.url]);
    const health = remote.url.replace(/\/mcp$/, "/healthz");
    expect(await (await fetch(health)).json()).toMatchObject({ sessions: 1, children: 1 });
    const pid = transport.pid;
    await client.close();
    await eventually(async () => {
      expect(await (await fetch(health)).json()).toMatchObject({ sessions: 0 });
      expect(pidsWithMarker(marker)).toEqual([]);
    });
    expect(pid).toBeGreaterThan(0);
  });

  it("answers held requests with an error and exits 1 after --max-retries, writing only JSON-RPC to stdout", async () => {
    const port = await getFreePort();
    const bridgeProcess = await startProcess(process.execPath, [
      `--disable-warning=${marker}`,
      CLI,
      "--connect-streamable-http",
      `http://127.0.0.1:${port}/mcp`,
      "--max-retries",
      "2",
    ]);
    bridgeProcess.child.stdin?.write(
      `${JSON.stringify({
        jsonrpc: "2.0",
        id: 7,
        method: "initialize",
        params: {
          protocolVersion: "2025-06-18",
          capabilities: {},
          clientInfo: { name: "raw", version: "1" },
        },
      })}\n`,
    );
    expect(await bridgeProcess.exited()).toBe(1);
    const lines = bridgeProcess.output().stdout.trim().split("\n");
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      {
        jsonrpc: "2.0",
        id: 7,
        error: { code: -32000, message: expect.stringContaining("still unreachable after 2 retries") },
      },
    ]);
    expect(bridgeProcess.output().stderr).toContain(
      "mcptranslate: the remote MCP server is still unreachable",
    );
  });
});
