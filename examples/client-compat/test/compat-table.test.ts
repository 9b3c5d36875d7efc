import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { installedVersion } from "../src/index.js";

const README = readFileSync(new URL("../README.md", import.meta.url), "utf8");

/** The compatibility table's rows, as `[client cell, version cell]`. */
function tableRows(): [string, string][] {
  const section = README.split("## Compatibility")[1]?.split("\n## ")[0] ?? "";
  return section
    .split("\n")
    .filter((line) => line.startsWith("| ") && !line.startsWith("| client") && !line.startsWith("|---"))
    .map((line) => {
      const [client = "", version = ""] = line.split(" | ").map((cell) => cell.replace(/^\| /, "").trim());
      return [client, version];
    });
}

// Each client the table reports on, and the package whose installed version it must name.
const CLIENTS: [string, string][] = [
  ["MCP Inspector CLI", "@modelcontextprotocol/inspector"],
  ["`mcp-remote`", "mcp-remote"],
  ["`@modelcontextprotocol/sdk` (v1)", "@modelcontextprotocol/sdk"],
  ["`@modelcontextprotocol/client` (v2)", "@modelcontextprotocol/client"],
  ["Vercel AI SDK", "@ai-sdk/mcp"],
  ["LangChain", "@langchain/mcp-adapters"],
];

describe("the README's compatibility table", () => {
  it.each(CLIENTS)("names the version of %s that the tests run", (client, pkg) => {
    const row = tableRows().find(([cell]) => cell.startsWith(client));
    expect(row, client).toBeDefined();
    expect(row?.[1]).toBe(installedVersion(pkg));
  });

  it("names the @langchain/core version LangChain's adapters run with", () => {
    const row = tableRows().find(([cell]) => cell.startsWith("LangChain"));
    expect(row?.[0]).toContain(`\`@langchain/core\` ${installedVersion("@langchain/core")}`);
  });
});
