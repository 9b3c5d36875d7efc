import { fileURLToPath } from "node:url";
import { getFreePort, startProcess, stopAllProcesses } from "@contextforge/testing";
import { afterEach, describe, expect, it } from "vitest";

const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));

afterEach(stopAllProcesses);

describe("mcpgateway CLI", () => {
  it("serves /health on the port from the environment and exits 0 on SIGTERM", async () => {
    const port = await getFreePort();
    const gateway = await startProcess(process.execPath, [CLI], {
      env: { PORT: String(port), HOST: "127.0.0.1", LOG_FORMAT: "json" },
      readyPattern: /listening on http:\/\/127\.0\.0\.1:(\d+)/,
    });
    const response = await fetch(`http://127.0.0.1:${port}/health`);
    expect(await response.json()).toEqual({ status: "healthy" });
    expect(await gateway.stop()).toBe(0);
  });

  it("lets --port override PORT", async () => {
    const port = await getFreePort();
    const gateway = await startProcess(process.execPath, [CLI, "--port", String(port)], {
      env: { PORT: "1" },
      readyPattern: /listening on/,
    });
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    expect(await gateway.stop()).toBe(0);
  });

  it("refuses invalid settings with exit code 2 and names the variable", async () => {
    const cli = await startProcess(process.execPath, [CLI], { env: { PORT: "not-a-port" } });
    expect(await cli.exited()).toBe(2);
    expect(cli.output().stderr).toMatch(/PORT: must be a number/);
  });

  it("says clearly when the port is already in use", async () => {
    const port = await getFreePort();
    await startProcess(process.execPath, [CLI, "--port", String(port)], { readyPattern: /listening on/ });
    const second = await startProcess(process.execPath, [CLI, "--port", String(port)]);
    expect(await second.exited()).toBe(1);
    expect(second.output().stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
  });

  it("prints real --help and --version", async () => {
    const help = await startProcess(process.execPath, [CLI, "--help"]);
    expect(await help.exited()).toBe(0);
    expect(help.output().stdout).toContain("Usage: mcpgateway");
    expect(help.output().stdout).toContain("--port <port>");
    const version = await startProcess(process.execPath, [CLI, "--version"]);
    expect(await version.exited()).toBe(0);
    expect(version.output().stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
