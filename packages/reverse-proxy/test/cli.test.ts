import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startProcess, stopAllProcesses } from "@contextforge/testing";
import { afterEach, describe, expect, it } from "vitest";

const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  version: string;
};

afterEach(stopAllProcesses);

describe("mcpreverseproxy CLI", () => {
  it("prints its usage and purpose with --help", async () => {
    const p = await startProcess(process.execPath, [CLI, "--help"]);
    expect(await p.exited()).toBe(0);
    expect(p.output().stdout).toContain("Usage: mcpreverseproxy");
    expect(p.output().stdout).toContain("Publishes a local MCP server t");
  });

  it("prints the package version with --version", async () => {
    const p = await startProcess(process.execPath, [CLI, "--version"]);
    expect(await p.exited()).toBe(0);
    expect(p.output().stdout.trim()).toBe(version);
  });

  it("exits 1 with the usage on stderr when there is nothing to do", async () => {
    const p = await startProcess(process.execPath, [CLI]);
    expect(await p.exited()).toBe(1);
    expect(p.output().stderr).toContain("Usage: mcpreverseproxy");
  });
});
