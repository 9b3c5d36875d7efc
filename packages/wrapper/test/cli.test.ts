import { readFileSync } from "node:fs";
import { startProcess, stopAllProcesses } from "@contextforge/testing";
import { afterEach, describe, expect, it } from "vitest";
import { CLI } from "./helpers/wrapper-process.js";

const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  version: string;
};

afterEach(stopAllProcesses);

/** Runs the CLI with no MCP_* variables inherited from the test's environment. */
function run(args: string[], env: Record<string, string | undefined> = {}) {
  return startProcess(process.execPath, [CLI, ...args], {
    env: {
      MCP_SERVER_URL: undefined,
      MCP_AUTH: undefined,
      MCP_TOOL_CALL_TIMEOUT: undefined,
      MCP_WRAPPER_LOG_LEVEL: undefined,
      ...env,
    },
  });
}

describe("mcpwrapper CLI", () => {
  it("prints its usage, options and environment variables with --help", async () => {
    const p = await run(["--help"]);
    expect(await p.exited()).toBe(0);
    const { stdout } = p.output();
    expect(stdout).toContain("Usage: mcpwrapper");
    expect(stdout).toContain("Lets a stdio-only MCP client (");
    for (const text of [
      "--url",
      "MCP_SERVER_URL",
      "--auth",
      "MCP_AUTH",
      "MCP_TOOL_CALL_TIMEOUT",
      "--concurrency",
    ]) {
      expect(stdout).toContain(text);
    }
  });

  it("prints the package version with --version", async () => {
    const p = await run(["--version"]);
    expect(await p.exited()).toBe(0);
    expect(p.output().stdout.trim()).toBe(version);
  });

  it("exits 2 with a usage error on stderr when no URL is given", async () => {
    const p = await run([]);
    expect(await p.exited()).toBe(2);
    expect(p.output().stderr).toContain("pass --url <url> or set MCP_SERVER_URL");
    expect(p.output().stdout).toBe("");
  });

  it.each([
    [["--url", "not a url"], "expected an absolute URL"],
    [["--url", "ftp://example.com/mcp"], "expected an http:// or https:// URL"],
    [["--url", "http://127.0.0.1:1/mcp", "--timeout", "soon"], "expected a number of seconds"],
    [["--url", "http://127.0.0.1:1/mcp", "--concurrency", "0"], "expected an integer >= 1"],
    [["--url", "http://127.0.0.1:1/mcp", "--header", "no colon"], 'expected "Name: value"'],
    [["--url", "http://127.0.0.1:1/mcp", "--log-level", "loud"], "expected one of debug"],
    [["--url", "http://127.0.0.1:1/mcp", "--bogus"], "unknown option"],
  ])("exits 2 on bad flags: %j", async (args, message) => {
    const p = await run(args);
    expect(await p.exited()).toBe(2);
    expect(p.output().stderr).toContain(message);
    expect(p.output().stdout).toBe("");
  });

  it("checks environment values as it checks flags", async () => {
    const p = await run([], { MCP_SERVER_URL: "http://127.0.0.1:1/mcp", MCP_TOOL_CALL_TIMEOUT: "-3" });
    expect(await p.exited()).toBe(2);
    expect(p.output().stderr).toContain("expected a number of seconds");
  });

  it("accepts ContextForge's log level names in MCP_WRAPPER_LOG_LEVEL and exits 0 on stdin EOF", async () => {
    const p = await run([], { MCP_SERVER_URL: "http://127.0.0.1:1/mcp", MCP_WRAPPER_LOG_LEVEL: "WARNING" });
    p.child.stdin?.end();
    expect(await p.exited()).toBe(0);
  });

  it("answers with an error, not a crash, when the remote cannot be reached", async () => {
    const p = await run(["--url", "http://127.0.0.1:1/mcp"]);
    p.child.stdin?.write(
      `${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } } })}\n`,
    );
    await p.waitForOutput(/"id":1/);
    expect(JSON.parse(p.output().stdout)).toEqual({
      jsonrpc: "2.0",
      id: 1,
      error: { code: -32000, message: "The remote MCP server could not be reached" },
    });
    p.child.stdin?.end();
    expect(await p.exited()).toBe(0);
  });
});
