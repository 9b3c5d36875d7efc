import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startProcess, stopAllProcesses } from "@contextforge/testing";
import { afterEach, describe, expect, it } from "vitest";

const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  version: string;
};
// The parent's REVERSE_PROXY_* variables must not leak into these runs.
const CLEAN_ENV = {
  REVERSE_PROXY_GATEWAY: undefined,
  REVERSE_PROXY_TOKEN: undefined,
  REVERSE_PROXY_LOCAL_STDIO: undefined,
  REVERSE_PROXY_NAME: undefined,
};

afterEach(stopAllProcesses);

describe("mcpreverseproxy CLI", () => {
  it("prints its usage, purpose and options with --help", async () => {
    const p = await startProcess(process.execPath, [CLI, "--help"]);
    expect(await p.exited()).toBe(0);
    const { stdout } = p.output();
    expect(stdout).toContain("Usage: mcpreverseproxy");
    expect(stdout).toContain("Publishes a local MCP server t");
    for (const flag of [
      "--local-stdio",
      "--gateway",
      "--token",
      "--name",
      "--reconnect-delay",
      "--max-retries",
      "--keepalive",
      "--heartbeat",
      "--env",
      "--config",
    ])
      expect(stdout).toContain(flag);
  });

  it("prints the package version with --version", async () => {
    const p = await startProcess(process.execPath, [CLI, "--version"]);
    expect(await p.exited()).toBe(0);
    expect(p.output().stdout.trim()).toBe(version);
  });

  it("exits 2 with a usage error when the local server or the gateway is missing", async () => {
    const none = await startProcess(process.execPath, [CLI], { env: CLEAN_ENV });
    expect(await none.exited()).toBe(2);
    expect(none.output().stderr).toContain("--local-stdio");
    const noGateway = await startProcess(process.execPath, [CLI, "--local-stdio", "cat"], { env: CLEAN_ENV });
    expect(await noGateway.exited()).toBe(2);
    expect(noGateway.output().stderr).toContain("REVERSE_PROXY_GATEWAY");
  });

  it("exits 2 on a malformed flag value", async () => {
    const p = await startProcess(process.execPath, [CLI, "--gateway", "ftp://x", "--local-stdio", "cat"], {
      env: CLEAN_ENV,
    });
    expect(await p.exited()).toBe(2);
    expect(p.output().stderr).toContain("expected an http://, https://, ws:// or wss:// URL");
  });

  it("exits 1 when the local server cannot be started", async () => {
    const p = await startProcess(
      process.execPath,
      [CLI, "--local-stdio", "/nonexistent/mcp-server", "--gateway", "http://127.0.0.1:9"],
      { env: CLEAN_ENV },
    );
    expect(await p.exited()).toBe(1);
    expect(p.output().stderr).toContain("cannot start the local server");
  });
});
