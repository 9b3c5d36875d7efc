import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startProcess, stopAllProcesses } from "@contextforge/testing";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { WebSocketClientTransport } from "@modelcontextprotocol/sdk/client/websocket.js";
import { afterEach, describe, expect, it } from "vitest";
import {
  EVERYTHING,
  envReport,
  envServerArgv,
  eventually,
  firstText,
  legacyClient,
  newMarker,
  pidsWithMarker,
} from "./helpers.js";

const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  version: string;
};
const marker = newMarker();
const STDIO = `${process.execPath} --disable-warning=${marker} "${EVERYTHING}" --transport stdio`;

afterEach(async () => {
  await stopAllProcesses();
  await eventually(() => expect(pidsWithMarker(marker)).toEqual([]));
});

describe("mcptranslate CLI", () => {
  it("prints its usage and purpose with --help", async () => {
    const p = await startProcess(process.execPath, [CLI, "--help"]);
    expect(await p.exited()).toBe(0);
    expect(p.output().stdout).toContain("Usage: mcptranslate");
    expect(p.output().stdout).toContain("Bridges MCP transports: expose");
    expect(p.output().stdout).toContain("--expose-streamable-http");
  });

  it("prints the package version with --version", async () => {
    const p = await startProcess(process.execPath, [CLI, "--version"]);
    expect(await p.exited()).toBe(0);
    expect(p.output().stdout.trim()).toBe(version);
  });

  it("exits 1 with the usage on stderr when there is nothing to do", async () => {
    const p = await startProcess(process.execPath, [CLI]);
    expect(await p.exited()).toBe(1);
    expect(p.output().stderr).toContain("Usage: mcptranslate");
  });

  it.each([
    [["--stdio", "node x.js", "--jsonResponse"], "--jsonResponse applies to --expose-streamable-http only"],
    [["--stdio", "node x.js", "--port", "http"], "--port expects an integer >= 0"],
    [["--stdio", "node x.js", "--expose-ws", "--wsPath", "/healthz"], '--wsPath "/healthz" is already used'],
    [["--stdio", "node 'x.js"], "unterminated ' quote"],
    [["--connect-ws", "ftp://example.com/ws"], "--connect-ws needs a ws:// or wss:// URL"],
    [["--connect-sse", "not a url"], "--connect-sse needs an absolute URL"],
    [["--stdio", "node x.js", "--connect-sse", "http://x/sse"], "give one of --stdio, --connect-sse"],
    [["--connect-sse", "http://x/sse", "--connect-ws", "ws://x/ws"], "give one of --stdio"],
    [["--stdio", "node x.js", "--header", "A: b"], "--header and --oauth2Bearer apply to --connect-* only"],
    [["--connect-sse", "http://x/sse", "--header", "novalue"], '--header expects NAME:VALUE (got "novalue")'],
    [["--connect-sse", "http://x/sse", "--header", "Mcp-Session-Id: 1"], "is set by the transport itself"],
    [
      ["--connect-sse", "http://x/sse", "--oauth2Bearer", "t", "--header", "Authorization: x"],
      "cannot both be given",
    ],
    [["--stdio", "node x.js", "--stateless", "--expose-ws"], "--stateless serves streamable HTTP only"],
    [["--stdio", "node x.js", "--header-to-env", "X-A=1BAD"], '"1BAD" is not an environment variable name'],
    [["--stdio", "node x.js", "--header-to-env", "X-A"], "--header-to-env expects NAME=VALUE"],
    [["--stdio", "node x.js", "--no-such-flag"], "unknown option '--no-such-flag'"],
  ])("exits 2 with a clear message for %j", async (args, message) => {
    const p = await startProcess(process.execPath, [CLI, ...args]);
    expect(await p.exited()).toBe(2);
    expect(p.output().stderr).toContain(message);
    expect(p.output().stdout).toBe("");
  });

  it("serves every transport, then on SIGTERM ends every session and child and exits 0", async () => {
    const p = await startProcess(
      process.execPath,
      [CLI, "--stdio", STDIO, "--port", "0", "--expose-sse", "--expose-streamable-http", "--expose-ws"],
      { readyPattern: /serving .* on SSE (http:\/\/127\.0\.0\.1:\d+)\/sse/ },
    );
    const [, base] = (await p.waitForOutput(/SSE (http:\/\/127\.0\.0\.1:\d+)\/sse/)) as unknown as [
      string,
      string,
    ];
    const streamable = legacyClient("cli");
    await streamable.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
    const sse = new ClientV1({ name: "cli-sse", version: "1.0.0" });
    await sse.connect(new SSEClientTransport(new URL(`${base}/sse`)));
    const ws = new ClientV1({ name: "cli-ws", version: "1.0.0" });
    await ws.connect(new WebSocketClientTransport(new URL(`${base.replace("http:", "ws:")}/ws`)));
    expect(firstText(await sse.callTool({ name: "echo", arguments: { message: "cli" } }))).toBe("cli");
    expect(pidsWithMarker(marker)).toHaveLength(3);
    expect(p.output().stdout).toBe("");

    p.child.kill("SIGTERM");
    expect(await p.exited()).toBe(0);
    expect(pidsWithMarker(marker)).toEqual([]);
    expect(p.output().stderr).toContain("SIGTERM: shutting down");
    await Promise.allSettled([streamable.close(), sse.close(), ws.close()]);
  });

  it("ends the shared child on SIGINT and exits 0", async () => {
    const p = await startProcess(
      process.execPath,
      [CLI, "--stdio", STDIO, "--port", "0", "--expose-streamable-http", "--shared"],
      { readyPattern: /streamable HTTP (http:\S+)/ },
    );
    const [, url] = (await p.waitForOutput(/streamable HTTP (http:\S+)/)) as unknown as [string, string];
    const client = legacyClient("cli-shared");
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    expect(pidsWithMarker(marker)).toHaveLength(1);
    p.child.kill("SIGINT");
    expect(await p.exited()).toBe(0);
    expect(pidsWithMarker(marker)).toEqual([]);
    await client.close().catch(() => {});
  });

  it("--stateless --header-to-env: one child per value, all ended on SIGTERM", async () => {
    const envServer = envServerArgv(marker)
      .map((arg) => JSON.stringify(arg))
      .join(" ");
    const p = await startProcess(
      process.execPath,
      [CLI, "--stdio", envServer, "--port", "0", "--stateless", "--header-to-env", "X-Tenant=TENANT"],
      { readyPattern: /streamable HTTP (http:\S+)/ },
    );
    const [, url] = (await p.waitForOutput(/streamable HTTP (http:\S+)/)) as unknown as [string, string];
    expect(p.output().stderr).toContain("(stateless, shared children keyed by TENANT)");
    const ask = async (tenant: string) => {
      const response = await fetch(url, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json, text/event-stream",
          "X-Tenant": tenant,
        },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "tools/call",
          params: { name: "env", arguments: { name: "TENANT" } },
        }),
      });
      const event = /data: (.*)/.exec(await response.text())?.[1] ?? "{}";
      return envReport((JSON.parse(event) as { result: unknown }).result);
    };
    const [a, b, a2] = await Promise.all([ask("a"), ask("b"), ask("a")]);
    expect([a.value, b.value, a2.value]).toEqual(["a", "b", "a"]);
    expect(a2.pid).toBe(a.pid);
    expect(pidsWithMarker(marker).sort()).toEqual([a.pid, b.pid].sort());

    p.child.kill("SIGTERM");
    expect(await p.exited()).toBe(0);
    expect(pidsWithMarker(marker)).toEqual([]);
  });
});
