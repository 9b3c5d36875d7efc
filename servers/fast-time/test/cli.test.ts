import { readFileSync } from "node:fs";
import { startProcess, stopAllProcesses } from "@contextforge/testing";
import { afterEach, describe, expect, it } from "vitest";
import { BIN } from "./helpers/fast-time-bin.js";

afterEach(stopAllProcesses);

async function run(...args: string[]): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const child = await startProcess(process.execPath, [BIN, ...args]);
  const code = await child.exited();
  return { code, ...child.output() };
}

describe("mcp-fast-time command line", () => {
  it("starts with a node shebang", () => {
    expect(readFileSync(BIN, "utf8").split("\n")[0]).toBe("#!/usr/bin/env node");
  });

  it("prints help with every option", async () => {
    const { code, stdout } = await run("--help");
    expect(code).toBe(0);
    expect(stdout).toContain("Usage: mcp-fast-time [options]");
    for (const option of [
      "--transport <transport>",
      "--port <port>",
      "--host <host>",
      "--version",
      "--help",
    ]) {
      expect(stdout).toContain(option);
    }
    expect(stdout).toContain('default: "stdio"');
    expect(stdout).toContain("default: 8080");
  });

  it("prints the version from package.json", async () => {
    const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      version: string;
    };
    const { code, stdout } = await run("--version");
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(version);
  });

  it("rejects an unknown transport and a bad port", async () => {
    const transport = await run("--transport", "carrier-pigeon");
    expect(transport.code).not.toBe(0);
    expect(transport.stderr).toContain("carrier-pigeon");
    const port = await run("--transport", "http", "--port", "http");
    expect(port.code).not.toBe(0);
    expect(port.stderr).toContain("expected an integer from 0 to 65535");
  });
});
